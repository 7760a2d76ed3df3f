"use client";

import { useMemo, useState } from "react";
import { JobButton } from "@/components/jobs/job-runner";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import type { JobView } from "@/lib/jobs/types";
import { EndpointSelect } from "@/components/endpoint-select";

export interface SandboxFormTable {
  name: string;
  /** Rows the form starts with (the active sandbox's, else the default for the table's role). */
  rows: number;
  role: "lookup" | "fact" | "other";
}

export interface SandboxFormEndpoint {
  id: string;
  name: string;
  model: string;
}

const MAX_ROWS_PER_TABLE = 5_000_000;
const MAX_TOTAL_ROWS = 20_000_000;
const BYTES_PER_ROW = 24;
const SCALES = ["0.1", "1", "10", "100"];

const fmt = (n: number) => n.toLocaleString("en-US");

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}

/** Whole number in [min, max], or the reason it is not. */
function checkCount(text: string, what: string, min = 1, max = MAX_ROWS_PER_TABLE): string | null {
  if (!/^-?\d+$/.test(text.replaceAll(",", "").trim())) return `${what} must be a whole number.`;
  const n = Number(text.replaceAll(",", ""));
  if (n < min) return min === 1 ? `${what} must be at least 1: 0 or negative rows cannot be generated.` : `${what} must be at least ${min}.`;
  if (n > max) return `${what}: at most ${fmt(max)}.`;
  return null;
}

export function SandboxForm({
  projectId,
  activeJob,
  tables,
  endpoints,
  initialSeed,
  initialVariants = 4,
  initialNullRate,
}: {
  projectId: string;
  activeJob: JobView | null;
  tables: SandboxFormTable[];
  endpoints: SandboxFormEndpoint[];
  initialSeed: number;
  initialVariants?: number;
  initialNullRate?: number;
}) {
  const [seed, setSeed] = useState(String(initialSeed));
  const [rows, setRows] = useState<Record<string, string>>(() => Object.fromEntries(tables.map((t) => [t.name, String(t.rows)])));
  const [scale, setScale] = useState("1");
  const [nullMode, setNullMode] = useState<"default" | "custom">(initialNullRate === undefined ? "default" : "custom");
  const [nullPct, setNullPct] = useState(initialNullRate === undefined ? "4" : String(Math.round(initialNullRate * 1000) / 10));
  const [variants, setVariants] = useState(String(initialVariants));
  const [llmOn, setLlmOn] = useState(false);
  const [endpointId, setEndpointId] = useState(endpoints[0]?.id ?? "");
  const [llmRows, setLlmRows] = useState("200");
  const [showTables, setShowTables] = useState(false);

  const errors: string[] = [];
  if (!/^\d{1,10}$/.test(seed) || Number(seed) > 2_147_483_647) errors.push("The seed must be a whole number between 0 and 2,147,483,647.");
  const scaleNum = Number(scale);
  if (!/^\d*\.?\d+$/.test(scale.trim()) || !(scaleNum > 0)) errors.push("The scale factor must be a number above 0.");
  else if (scaleNum > 1000) errors.push("The scale factor can be at most 1000.");
  const tableErrors: Record<string, string> = {};
  for (const t of tables) {
    const problem = checkCount(rows[t.name] ?? "", `Rows for ${t.name}`);
    if (problem) tableErrors[t.name] = problem;
  }
  if (Object.keys(tableErrors).length > 0) errors.push(...Object.values(tableErrors).slice(0, 3));
  const nullNum = Number(nullPct);
  if (nullMode === "custom" && (!/^\d+(\.\d+)?$/.test(nullPct) || nullNum > 90)) errors.push("The NULL rate must be between 0% and 90%.");
  const variantProblem = checkCount(variants, "Variants", 0, 8);
  if (variantProblem) errors.push(variantProblem);
  if (llmOn && !endpointId) errors.push("Pick the endpoint that writes the text.");
  const llmRowsProblem = llmOn ? checkCount(llmRows, "Rows per table from the model", 1, 2000) : null;
  if (llmRowsProblem) errors.push(llmRowsProblem);

  const planned = useMemo(() => {
    if (!(scaleNum > 0)) return null;
    const out: Record<string, number> = {};
    for (const t of tables) {
      const n = Number((rows[t.name] ?? "").replaceAll(",", ""));
      if (!Number.isFinite(n) || n < 1) return null;
      out[t.name] = Math.max(1, Math.round(n * scaleNum));
    }
    return out;
  }, [rows, scaleNum, tables]);
  const total = planned ? Object.values(planned).reduce((a, b) => a + b, 0) : 0;
  if (planned) {
    const over = Object.entries(planned).find(([, n]) => n > MAX_ROWS_PER_TABLE);
    if (over) errors.push(`${over[0]} would get ${fmt(over[1])} rows at this scale; a table holds at most ${fmt(MAX_ROWS_PER_TABLE)}.`);
    else if (total > MAX_TOTAL_ROWS) errors.push(`That is ${fmt(total)} rows in all; a sandbox holds at most ${fmt(MAX_TOTAL_ROWS)}.`);
  }

  const body = () => ({
    seed: Number(seed),
    tableRows: Object.fromEntries(tables.map((t) => [t.name, Number((rows[t.name] ?? "").replaceAll(",", ""))])),
    scale: scaleNum,
    ...(nullMode === "custom" ? { nullRate: nullNum / 100 } : {}),
    variants: Number(variants),
    ...(llmOn ? { llm: { endpointId, maxRowsPerTable: Number(llmRows) } } : {}),
  });

  return (
    <div className="space-y-4">
      <div>
        <label htmlFor="seed" className={labelClass}>
          Seed
        </label>
        <div className="flex gap-2">
          <input id="seed" className={inputClass} inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value.trim())} />
          <button
            type="button"
            className={buttonClass("secondary")}
            title="Another seed: same sizes, other rows"
            onClick={() => setSeed(String(Math.floor(Math.random() * 1_000_000)))}
          >
            New seed
          </button>
        </div>
        <p className="mt-1 text-xs text-slate-500">The same seed always gives the same rows.</p>
      </div>

      <div>
        <div className="flex items-end justify-between gap-2">
          <label htmlFor="scale" className={labelClass}>
            Scale factor
          </label>
          <div className="mb-1 flex gap-1" role="group" aria-label="Scale presets">
            {SCALES.map((s) => (
              <button
                key={s}
                type="button"
                onClick={() => setScale(s)}
                className={`rounded px-1.5 py-0.5 text-xs ${scale === s ? "bg-brand-50 font-semibold text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}
              >
                ×{s}
              </button>
            ))}
          </div>
        </div>
        <input id="scale" className={inputClass} inputMode="decimal" value={scale} onChange={(e) => setScale(e.target.value.trim())} />
        <p className="mt-1 text-xs text-slate-500" data-testid="sandbox-size">
          {planned ? `${fmt(total)} rows in ${tables.length} tables, about ${formatBytes(2 * 1024 * 1024 + total * BYTES_PER_ROW)}` : "—"}
        </p>
      </div>

      <div>
        <button type="button" className="text-sm font-medium text-brand-700 hover:underline" aria-expanded={showTables} onClick={() => setShowTables((v) => !v)}>
          {showTables ? "Hide" : "Edit"} rows per table
        </button>
        {showTables && (
          <table className="mt-2 w-full text-sm">
            <thead>
              <tr className="text-left text-xs text-slate-500">
                <th className="py-1 font-medium">Table</th>
                <th className="py-1 text-right font-medium">Rows (× scale)</th>
              </tr>
            </thead>
            <tbody>
              {tables.map((t) => (
                <tr key={t.name} className="border-t border-slate-100">
                  <td className="py-1 pr-2">
                    <span className="font-mono text-xs">{t.name}</span>
                    {t.role !== "other" && <span className="ml-1 text-xs text-slate-400">{t.role}</span>}
                  </td>
                  <td className="py-1">
                    <input
                      aria-label={`Rows for ${t.name}`}
                      aria-invalid={!!tableErrors[t.name]}
                      className={`${inputClass} h-8 text-right tabular-nums ${tableErrors[t.name] ? "border-rose-400" : ""}`}
                      inputMode="numeric"
                      value={rows[t.name] ?? ""}
                      onChange={(e) => setRows((r) => ({ ...r, [t.name]: e.target.value.trim() }))}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <fieldset>
        <legend className={labelClass}>NULLs in nullable columns</legend>
        <div className="flex items-center gap-3 text-sm">
          <label className="flex items-center gap-1.5">
            <input type="radio" name="nulls" checked={nullMode === "default"} onChange={() => setNullMode("default")} /> Per column (about 4%)
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="nulls" checked={nullMode === "custom"} onChange={() => setNullMode("custom")} /> Fixed
          </label>
          {nullMode === "custom" && (
            <span className="flex items-center gap-1">
              <input aria-label="NULL rate in percent" className={`${inputClass} h-8 w-16 text-right`} inputMode="decimal" value={nullPct} onChange={(e) => setNullPct(e.target.value.trim())} />%
            </span>
          )}
        </div>
      </fieldset>

      <div>
        <label htmlFor="variants" className={labelClass}>
          Test-suite variants
        </label>
        <input id="variants" className={`${inputClass} w-24`} inputMode="numeric" value={variants} onChange={(e) => setVariants(e.target.value.trim())} />
        <p className="mt-1 text-xs text-slate-500">
          Extra small sandboxes with other seeds and values near your queries&apos; constants. Evaluation runs every test query on them too, to catch SQL that is right only by coincidence.
        </p>
      </div>

      <fieldset className="rounded-md border border-slate-200 p-3">
        <label className="flex items-center gap-2 text-sm font-medium text-slate-800">
          <input type="checkbox" checked={llmOn} onChange={(e) => setLlmOn(e.target.checked)} disabled={endpoints.length === 0} /> LLM realism for text columns
        </label>
        {endpoints.length === 0 ? (
          <p className="mt-1 text-xs text-slate-500">Add an OpenAI-compatible endpoint on the Evaluations page to have a model write names, descriptions and other free text. Keys stay rule-generated.</p>
        ) : llmOn ? (
          <div className="mt-2 grid grid-cols-[1fr_7rem] gap-2">
            <EndpointSelect id="llm-endpoint" label="Endpoint" endpoints={endpoints} value={endpointId} onChange={setEndpointId} />
            <div>
              <label htmlFor="llm-rows" className={labelClass}>
                Rows / table
              </label>
              <input id="llm-rows" className={inputClass} inputMode="numeric" value={llmRows} onChange={(e) => setLlmRows(e.target.value.trim())} />
            </div>
            <p className="col-span-2 text-xs text-slate-500">
              The first rows of each table get model-written text through structured output, 20 rows per request; values are checked against the constraints and tokens are counted while it runs. Rewritten text no longer follows from the seed.
            </p>
          </div>
        ) : (
          <p className="mt-1 text-xs text-slate-500">Off: every value comes from the seeded rule-based generator.</p>
        )}
      </fieldset>

      {errors.length > 0 && (
        <ul className="space-y-1 text-sm text-rose-700" data-testid="sandbox-form-errors">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <JobButton endpoint={`/api/projects/${projectId}/sandbox`} body={body} label="Generate sandbox" activeJob={activeJob} disabled={errors.length > 0} />
      <p className="text-xs text-slate-500">The current sandbox stays in use until the new one is complete; cancelling keeps it.</p>
    </div>
  );
}
