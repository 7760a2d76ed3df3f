"use client";

import { useState } from "react";
import { JobButton } from "@/components/jobs/job-runner";
import { inputClass, labelClass } from "@/components/ui/button";
import type { JobView } from "@/lib/jobs/types";
import { MAX_LLM_QUERIES, MAX_PER_QUERY } from "@/lib/questions/input";
import { LLM_ONLY_STYLES, QUESTION_STYLES, STYLE_DESCRIPTIONS, STYLE_LABELS, TEMPLATE_STYLES, type QuestionStyle } from "@/lib/questions/styles";
import { EndpointSelect } from "@/components/endpoint-select";

const TEMPLATE_JOB = "questions.generate";
const LLM_JOB = "questions.llm";
const ROUND_TRIP_JOB = "questions.roundtrip";

function wholeNumberIn(text: string, min: number, max: number): boolean {
  return /^\d{1,4}$/.test(text) && Number(text) >= min && Number(text) <= max;
}

function StyleChecks({ idPrefix, styles, chosen, onChange }: { idPrefix: string; styles: readonly QuestionStyle[]; chosen: QuestionStyle[]; onChange: (next: QuestionStyle[]) => void }) {
  return (
    <fieldset>
      <legend className={labelClass}>Styles</legend>
      <div className="flex flex-wrap gap-x-4 gap-y-1">
        {styles.map((s) => (
          <label key={s} htmlFor={`${idPrefix}-${s}`} className="flex items-center gap-1.5 text-sm text-slate-700" title={STYLE_DESCRIPTIONS[s]}>
            <input
              id={`${idPrefix}-${s}`}
              type="checkbox"
              checked={chosen.includes(s)}
              onChange={(e) => onChange(e.target.checked ? styles.filter((x) => x === s || chosen.includes(x)) : chosen.filter((x) => x !== s))}
            />
            {STYLE_LABELS[s]}
            {(LLM_ONLY_STYLES as readonly string[]).includes(s) && <span className="text-xs text-slate-400">(model only)</span>}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Template questions in chosen styles, and questions by a model with an optional round-trip check. */
export function QuestionsForm({
  projectId,
  endpoints,
  executed,
  activeJob,
}: {
  projectId: string;
  endpoints: { id: string; name: string; model: string }[];
  executed: number;
  activeJob: JobView | null;
}) {
  const [templateStyles, setTemplateStyles] = useState<QuestionStyle[]>([...TEMPLATE_STYLES]);
  const [perQuery, setPerQuery] = useState("1");
  const [endpointId, setEndpointId] = useState(endpoints[0]?.id ?? "");
  const [llmStyles, setLlmStyles] = useState<QuestionStyle[]>(["formal", "vague", "metaphorical"]);
  const [llmPerQuery, setLlmPerQuery] = useState("1");
  const [limit, setLimit] = useState("50");
  const [roundTrip, setRoundTrip] = useState(true);
  const jobOf = (type: string) => (activeJob?.type === type ? activeJob : null);
  const noQueries = executed === 0;

  const perQueryOk = wholeNumberIn(perQuery, 1, MAX_PER_QUERY);
  const llmPerQueryOk = wholeNumberIn(llmPerQuery, 1, MAX_PER_QUERY);
  const limitOk = wholeNumberIn(limit, 1, MAX_LLM_QUERIES);
  const templateErrors = [
    templateStyles.length === 0 && "Pick at least one style.",
    !perQueryOk && `Write 1 to ${MAX_PER_QUERY} questions per query.`,
  ].filter((x): x is string => Boolean(x));
  const llmErrors = [
    llmStyles.length === 0 && "Pick at least one style.",
    !llmPerQueryOk && `Ask for 1 to ${MAX_PER_QUERY} questions per query.`,
    !limitOk && `Ask about 1 to ${MAX_LLM_QUERIES} queries at a time.`,
  ].filter((x): x is string => Boolean(x));

  return (
    <div className="space-y-6">
      <section aria-labelledby="template-questions" className="space-y-3">
        <h3 id="template-questions" className="text-sm font-semibold text-slate-800">
          From templates
        </h3>
        <p className="text-sm text-slate-600">
          Each executed template query gets questions in the chosen styles, each a different text, in the glossary&apos;s words where it describes a table or column. Running it again only adds what is missing.
        </p>
        <StyleChecks idPrefix="tq-style" styles={TEMPLATE_STYLES} chosen={templateStyles} onChange={setTemplateStyles} />
        <div className="max-w-[12rem]">
          <label htmlFor="tq-per-query" className={labelClass}>
            Questions per query
          </label>
          <input id="tq-per-query" className={inputClass} inputMode="numeric" value={perQuery} onChange={(e) => setPerQuery(e.target.value.trim())} />
        </div>
        {templateErrors.map((e) => (
          <p key={e} className="text-sm text-rose-700">
            {e}
          </p>
        ))}
        <JobButton
          endpoint={`/api/projects/${projectId}/questions`}
          body={() => ({ styles: TEMPLATE_STYLES.filter((s) => templateStyles.includes(s)), perQuery: Number(perQuery) })}
          label="Write questions"
          variant="secondary"
          activeJob={jobOf(TEMPLATE_JOB)}
          disabled={noQueries || templateErrors.length > 0}
          disabledReason={noQueries ? "Needs executed queries." : undefined}
        />
      </section>

      <section aria-labelledby="llm-questions" className="space-y-3 border-t border-slate-100 pt-4">
        <h3 id="llm-questions" className="text-sm font-semibold text-slate-800">
          Written by a model
        </h3>
        {endpoints.length === 0 ? (
          <p className="text-sm text-slate-600">
            Add an OpenAI-compatible endpoint on the Evaluations page to have a model write questions in any style, vague and metaphorical ones included, and check each by a round trip: the model writes SQL from the question alone and its result is compared with the ground truth.
          </p>
        ) : (
          <>
            <p className="text-sm text-slate-600">
              For executed queries without a question from a model yet. Questions that are empty, too long or leave out a value of the SQL (except vague and metaphorical ones) are rejected and counted. Sensitive columns are never sent.
            </p>
            <div className="grid gap-2 md:grid-cols-[1fr_9rem_9rem]">
              <EndpointSelect id="lq-endpoint" endpoints={endpoints} value={endpointId} onChange={setEndpointId} />
              <div>
                <label htmlFor="lq-per-query" className={labelClass}>
                  Per query
                </label>
                <input id="lq-per-query" className={inputClass} inputMode="numeric" value={llmPerQuery} onChange={(e) => setLlmPerQuery(e.target.value.trim())} />
              </div>
              <div>
                <label htmlFor="lq-limit" className={labelClass}>
                  Queries at most
                </label>
                <input id="lq-limit" className={inputClass} inputMode="numeric" value={limit} onChange={(e) => setLimit(e.target.value.trim())} />
              </div>
            </div>
            <StyleChecks idPrefix="lq-style" styles={QUESTION_STYLES} chosen={llmStyles} onChange={setLlmStyles} />
            <label htmlFor="lq-round-trip" className="flex items-center gap-1.5 text-sm text-slate-700">
              <input id="lq-round-trip" type="checkbox" checked={roundTrip} onChange={(e) => setRoundTrip(e.target.checked)} />
              Round-trip check of each new question
            </label>
            {llmErrors.map((e) => (
              <p key={e} className="text-sm text-rose-700">
                {e}
              </p>
            ))}
            <div className="flex flex-wrap items-start gap-6">
              <JobButton
                endpoint={`/api/projects/${projectId}/questions/llm`}
                body={() => ({ endpointId, styles: QUESTION_STYLES.filter((s) => llmStyles.includes(s)), perQuery: Number(llmPerQuery), limit: Number(limit), roundTrip })}
                label="Ask the model"
                variant="secondary"
                activeJob={jobOf(LLM_JOB)}
                disabled={noQueries || llmErrors.length > 0 || !endpointId}
                disabledReason={noQueries ? "Needs executed queries." : undefined}
              />
              <JobButton
                endpoint={`/api/projects/${projectId}/questions/round-trip`}
                body={() => ({ endpointId, limit: limitOk ? Number(limit) : 50 })}
                label="Round-trip unchecked pairs"
                variant="secondary"
                activeJob={jobOf(ROUND_TRIP_JOB)}
                disabled={!endpointId}
              />
            </div>
          </>
        )}
      </section>
    </div>
  );
}
