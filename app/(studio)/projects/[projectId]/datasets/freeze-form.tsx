"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { DEFAULT_INSTRUCTIONS, PROMPT_FORMAT_LABELS, PROMPT_FORMATS, userTemplateProblem, type PromptFormat } from "@/lib/datasets/prompt";

type Field = "name" | "testFraction" | "validationFraction" | "seed" | "promptFormat" | "instructions" | "userTemplate" | "heldOutFromImports" | "description";

function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="mt-1 text-xs text-rose-700">
      {message}
    </p>
  );
}

/** Checks the browser can make before asking the server, with the server's own wording. */
function localProblems(v: { testPct: string; validationPct: string; seed: string; userTemplate: string }): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  const test = Number(v.testPct);
  if (!Number.isFinite(test) || test < 5) out.testFraction = "Hold out at least 5% for testing.";
  else if (test > 50) out.testFraction = "Hold out at most 50% for testing.";
  const validation = Number(v.validationPct || 0);
  if (!Number.isFinite(validation) || validation < 0) out.validationFraction = "The validation share cannot be negative.";
  else if (validation > 30) out.validationFraction = "Hold out at most 30% for validation.";
  if (!/^\d+$/.test(v.seed.trim())) out.seed = "The seed must be a whole number (0 or more).";
  const template = userTemplateProblem(v.userTemplate);
  if (template) out.userTemplate = template;
  return out;
}

export function FreezeForm({ projectId, disabled, importedCount }: { projectId: string; disabled: boolean; importedCount: number }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [testPct, setTestPct] = useState("20");
  const [validationPct, setValidationPct] = useState("0");
  const [seed, setSeed] = useState("13");
  const [promptFormat, setPromptFormat] = useState<PromptFormat>("full");
  const [instructions, setInstructions] = useState("");
  const [userTemplate, setUserTemplate] = useState("");
  const [heldOut, setHeldOut] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const describedBy = (field: Field) => (errors[field] ? `${field}-error` : undefined);

  return (
    <form
      className="space-y-3"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setFormError(null);
        const problems = localProblems({ testPct, validationPct, seed, userTemplate });
        setErrors(problems);
        if (Object.keys(problems).length > 0) return;
        setBusy(true);
        try {
          const out = await apiFetch<{ datasetVersion: { id: string } }>(`/api/projects/${projectId}/datasets`, {
            body: {
              name: name || undefined,
              description: description || undefined,
              testFraction: Number(testPct) / 100,
              validationFraction: Number(validationPct || 0) / 100,
              seed: Number(seed),
              promptFormat,
              instructions: instructions.trim() || undefined,
              userTemplate: userTemplate.trim() ? userTemplate : undefined,
              heldOutFromImports: heldOut,
            },
          });
          router.push(`/projects/${projectId}/datasets/${out.datasetVersion.id}`);
        } catch (err) {
          const message = (err as Error).message;
          // The server names the field first ("testFraction: …"): show it beside that field.
          const match = /^(\w+): (.*)$/s.exec(message);
          if (match && ["name", "description", "testFraction", "validationFraction", "seed", "promptFormat", "instructions", "userTemplate", "heldOutFromImports"].includes(match[1])) {
            setErrors({ [match[1]]: match[2] });
          } else {
            setFormError(message);
          }
          setBusy(false);
        }
      }}
    >
      <div>
        <label htmlFor="version-name" className={labelClass}>
          Name <span className="font-normal text-slate-400">(optional)</span>
        </label>
        <input id="version-name" className={inputClass} value={name} maxLength={120} onChange={(e) => setName(e.target.value)} placeholder="First reviewed batch" aria-describedby={describedBy("name")} />
        <FieldError id="name-error" message={errors.name} />
      </div>
      <div className="grid grid-cols-2 gap-3">
        <div>
          <label htmlFor="test-pct" className={labelClass}>
            Test share (%)
          </label>
          <input
            id="test-pct"
            className={inputClass}
            type="number"
            min={5}
            max={50}
            value={testPct}
            onChange={(e) => setTestPct(e.target.value)}
            aria-invalid={!!errors.testFraction}
            aria-describedby={describedBy("testFraction")}
          />
          <FieldError id="testFraction-error" message={errors.testFraction} />
        </div>
        <div>
          <label htmlFor="validation-pct" className={labelClass}>
            Validation share (%)
          </label>
          <input
            id="validation-pct"
            className={inputClass}
            type="number"
            min={0}
            max={30}
            value={validationPct}
            onChange={(e) => setValidationPct(e.target.value)}
            aria-invalid={!!errors.validationFraction}
            aria-describedby={describedBy("validationFraction")}
          />
          <FieldError id="validationFraction-error" message={errors.validationFraction} />
        </div>
      </div>
      <div>
        <label htmlFor="prompt-format" className={labelClass}>
          Schema in the prompt
        </label>
        <select id="prompt-format" className={inputClass} value={promptFormat} onChange={(e) => setPromptFormat(e.target.value as PromptFormat)} aria-describedby={describedBy("promptFormat")}>
          {PROMPT_FORMATS.map((f) => (
            <option key={f} value={f}>
              {PROMPT_FORMAT_LABELS[f]}
            </option>
          ))}
        </select>
        <FieldError id="promptFormat-error" message={errors.promptFormat} />
      </div>
      <div>
        <label className="flex items-start gap-2 text-sm text-slate-700">
          <input type="checkbox" className="mt-0.5" checked={heldOut} disabled={importedCount === 0} onChange={(e) => setHeldOut(e.target.checked)} aria-describedby="heldout-hint" />
          <span>Hold out the pairs from imported query logs</span>
        </label>
        <p id="heldout-hint" className="mt-0.5 pl-6 text-xs text-slate-500">
          {importedCount === 0
            ? "No approved pair comes from an imported log yet."
            : `${importedCount} approved pair${importedCount === 1 ? "" : "s"} from imported logs (and any pair sharing their templates) go to a separate held-out split.`}
        </p>
        <FieldError id="heldOutFromImports-error" message={errors.heldOutFromImports} />
      </div>
      <details className="rounded-md border border-slate-200 px-3 py-2">
        <summary className="cursor-pointer text-sm font-medium text-slate-700">Advanced</summary>
        <div className="mt-3 space-y-3">
          <div>
            <label htmlFor="split-seed" className={labelClass}>
              Split seed
            </label>
            <input id="split-seed" className={inputClass} inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} aria-invalid={!!errors.seed} aria-describedby={describedBy("seed")} />
            <FieldError id="seed-error" message={errors.seed} />
          </div>
          <div>
            <label htmlFor="instructions" className={labelClass}>
              Instructions <span className="font-normal text-slate-400">(replace the default)</span>
            </label>
            <textarea
              id="instructions"
              className={inputClass}
              rows={4}
              maxLength={4000}
              value={instructions}
              placeholder={DEFAULT_INSTRUCTIONS}
              onChange={(e) => setInstructions(e.target.value)}
              aria-describedby={describedBy("instructions")}
            />
            <FieldError id="instructions-error" message={errors.instructions} />
          </div>
          <div>
            <label htmlFor="user-template" className={labelClass}>
              User message template
            </label>
            <textarea
              id="user-template"
              className={inputClass}
              rows={2}
              maxLength={4000}
              value={userTemplate}
              placeholder="Question: {question}"
              onChange={(e) => setUserTemplate(e.target.value)}
              aria-invalid={!!errors.userTemplate}
              aria-describedby={describedBy("userTemplate") ?? "user-template-hint"}
            />
            <p id="user-template-hint" className="mt-0.5 text-xs text-slate-500">
              Empty: the question alone. Otherwise it must contain {"{question}"}.
            </p>
            <FieldError id="userTemplate-error" message={errors.userTemplate} />
          </div>
          <div>
            <label htmlFor="version-description" className={labelClass}>
              Description
            </label>
            <textarea id="version-description" className={inputClass} rows={2} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
            <FieldError id="description-error" message={errors.description} />
          </div>
        </div>
      </details>
      {formError && (
        <p role="alert" className="text-sm text-rose-700">
          {formError}
        </p>
      )}
      <button type="submit" className={buttonClass("primary", "w-full")} disabled={busy || disabled}>
        {busy ? "Freezing…" : "Freeze version"}
      </button>
      {disabled && <p className="text-xs text-slate-500">Approve at least two pairs first.</p>}
    </form>
  );
}
