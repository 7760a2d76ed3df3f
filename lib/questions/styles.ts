// The styles a question can be written in. Templates write six of them offline; "vague" and
// "metaphorical" need a model, since a template cannot leave things out or speak in images and
// still be checked. Pure: shared by the job, the routes and the form.

export const TEMPLATE_STYLES = ["formal", "colloquial", "imperative", "interrogative", "descriptive", "concise"] as const;
export const LLM_ONLY_STYLES = ["vague", "metaphorical"] as const;
export const QUESTION_STYLES = [...TEMPLATE_STYLES, ...LLM_ONLY_STYLES] as const;

export type TemplateStyle = (typeof TEMPLATE_STYLES)[number];
export type QuestionStyle = (typeof QUESTION_STYLES)[number];

export const STYLE_LABELS: Record<QuestionStyle, string> = {
  formal: "Formal",
  colloquial: "Colloquial",
  imperative: "Imperative",
  interrogative: "Interrogative",
  descriptive: "Descriptive",
  concise: "Concise",
  vague: "Vague",
  metaphorical: "Metaphorical",
};

/** What each style means, in the words a model is given. */
export const STYLE_DESCRIPTIONS: Record<QuestionStyle, string> = {
  formal: "a complete, precise question in formal written English",
  colloquial: "the way a colleague would ask in chat: relaxed, everyday words",
  imperative: "a request starting with a verb (List…, Count…, Show…)",
  interrogative: "a polite direct question asking someone to do it (Can you…? Could you…?)",
  descriptive: "a statement describing the information wanted, not phrased as a question",
  concise: "as few words as possible, like a search box entry",
  vague: "underspecified the way real users ask: may leave out exact values or details a reader must guess",
  metaphorical: "uses a figure of speech or an image instead of the plain terms",
};

/** Styles whose questions need not state the SQL's literal values. */
export const LITERAL_FREE_STYLES: ReadonlySet<QuestionStyle> = new Set<QuestionStyle>(LLM_ONLY_STYLES);

export function isTemplateStyle(style: string): style is TemplateStyle {
  return (TEMPLATE_STYLES as readonly string[]).includes(style);
}

export function isQuestionStyle(style: string): style is QuestionStyle {
  return (QUESTION_STYLES as readonly string[]).includes(style);
}
