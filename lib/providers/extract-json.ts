// Reads the JSON out of a model's answer given in structured-output mode. Most endpoints answer
// with the document alone; some wrap it in a ```json fence, think aloud first (<think>…</think>)
// or add prose around it. The one place that does it, for every caller that asked for JSON.

const THINK_BLOCK = /<(think|thinking|reasoning)>[\s\S]*?<\/\1>/gi;

/** The first reading that parses: the text, a fenced block, the outer {…}, the outer […]; undefined when none does. */
export function extractJson(raw: string): unknown {
  const text = raw.replace(THINK_BLOCK, "").trim();
  const candidates = [text];
  const fence = /```(?:json)?\s*\n?([\s\S]*?)```/i.exec(text);
  if (fence?.[1]) candidates.push(fence[1].trim());
  for (const [open, close] of [["{", "}"], ["[", "]"]] as const) {
    const start = text.indexOf(open);
    const end = text.lastIndexOf(close);
    if (start !== -1 && end > start) candidates.push(text.slice(start, end + 1));
  }
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // Try the next reading.
    }
  }
  return undefined;
}
