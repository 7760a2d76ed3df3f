"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Field, fieldErrors, readNumber, serverFieldError } from "@/components/ui/field";
import {
  BEDROCK_BASE_MODELS,
  bedrockSettings,
  fireworksRftSettings,
  fireworksSftSettings,
  launchFineTuneInput,
  type CostEstimate,
  type FineTuneKind,
  type LaunchFineTuneRequest,
} from "@/lib/finetune/types";
import type { ConnectionKind } from "@/lib/providers/connections";
import { count, usd } from "./format";

// Launches a fine-tune job. The same schemas as the server check every setting as it is typed, the
// documented range stands under each field, and a debounced estimate (examples, tokens, cost, or
// why the provider would refuse the files) follows the settings. The launch key is made once per
// form, so a double click or a retried request makes one job.

export interface LaunchVersion {
  id: string;
  version: number;
  name: string;
  trainCount: number;
  validationCount: number;
}

export interface LaunchConnection {
  id: string;
  name: string;
  kind: ConnectionKind;
  testOk: boolean | null;
}

interface EstimateResponse {
  estimate: CostEstimate;
  trainExamples: number;
  validationExamples: number;
  notes: string[];
}

const KINDS: { kind: FineTuneKind; label: string; provider: ConnectionKind; description: string }[] = [
  { kind: "fireworks_rft", label: "Fireworks RFT", provider: "fireworks", description: "Reinforcement: the model writes SQL, the studio's reward runs it on the sandbox and scores the result." },
  { kind: "fireworks_sft", label: "Fireworks SFT", provider: "fireworks", description: "Supervised: the model learns the approved SQL of each training pair." },
  { kind: "bedrock_sft", label: "Bedrock Nova", provider: "aws", description: "Supervised fine-tuning of Amazon Nova Micro or Lite; the files go through your S3 bucket." },
];

interface SettingSpec {
  key: string;
  label: string;
  hint: string;
  control: "text" | "number" | "select";
  numeric?: boolean;
  options?: readonly { value: string; label: string }[];
  wide?: boolean;
}

const FIREWORKS_MODEL: SettingSpec = { key: "baseModel", label: "Base model", hint: "A Fireworks model name, like accounts/fireworks/models/qwen3-8b.", control: "text", wide: true };
const FIREWORKS_COMMON: SettingSpec[] = [
  FIREWORKS_MODEL,
  { key: "epochs", label: "Epochs", hint: "1 to 10.", control: "number", numeric: true },
  { key: "learningRate", label: "Learning rate", hint: "Above 0, at most 0.01.", control: "number", numeric: true },
  { key: "loraRank", label: "LoRA rank", hint: "4, 8, 16, 32 or 64.", control: "select", numeric: true, options: [4, 8, 16, 32, 64].map((n) => ({ value: String(n), label: String(n) })) },
  { key: "maxContextLength", label: "Max context length", hint: "512 to 131,072 tokens, a multiple of 16.", control: "number", numeric: true },
];

const SPECS: Record<FineTuneKind, SettingSpec[]> = {
  fireworks_rft: [
    ...FIREWORKS_COMMON,
    { key: "maxOutputTokens", label: "Max output tokens", hint: "16 to 32,768 per answer.", control: "number", numeric: true },
    { key: "temperature", label: "Temperature", hint: "0 to 2.", control: "number", numeric: true },
    { key: "topP", label: "Top-p", hint: "Above 0, at most 1.", control: "number", numeric: true },
    { key: "topK", label: "Top-k", hint: "0 to 100.", control: "number", numeric: true },
    { key: "responseCandidates", label: "Response candidates", hint: "2 to 16 answers per question; the reward compares them.", control: "number", numeric: true },
    {
      key: "lossMethod",
      label: "Loss method",
      hint: "How the rewards of the answers become updates.",
      control: "select",
      options: [
        { value: "GRPO", label: "GRPO" },
        { value: "DAPO", label: "DAPO" },
        { value: "GSPO_TOKEN", label: "GSPO (token)" },
      ],
    },
  ],
  fireworks_sft: FIREWORKS_COMMON,
  bedrock_sft: [
    {
      key: "baseModel",
      label: "Base model",
      hint: "Nova Micro is the smaller and cheaper; Nova Lite also reads images.",
      control: "select",
      wide: true,
      options: Object.entries(BEDROCK_BASE_MODELS).map(([value, m]) => ({ value, label: m.label })),
    },
    { key: "epochCount", label: "Epochs", hint: "1 to 5 (epochCount).", control: "number", numeric: true },
    { key: "learningRate", label: "Learning rate", hint: "0.000001 to 0.0001.", control: "number", numeric: true },
    { key: "learningRateWarmupSteps", label: "Warm-up steps", hint: "0 to 100.", control: "number", numeric: true },
  ],
};

const DEFAULT_FIREWORKS_MODEL = "accounts/fireworks/models/qwen3-8b";

/** The schema's defaults for the kind, as the strings the inputs hold. */
function defaultTexts(kind: FineTuneKind): Record<string, string> {
  const parsed: Record<string, unknown> =
    kind === "fireworks_rft"
      ? fireworksRftSettings.parse({ baseModel: DEFAULT_FIREWORKS_MODEL })
      : kind === "fireworks_sft"
        ? fireworksSftSettings.parse({ baseModel: DEFAULT_FIREWORKS_MODEL })
        : bedrockSettings.parse({ baseModel: "nova-micro" });
  return Object.fromEntries(SPECS[kind].map((s) => [s.key, String(parsed[s.key] ?? "")]));
}

function newLaunchKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // randomUUID needs a secure context (https or localhost); getRandomValues does not.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

const LOCAL_ADDRESS = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)(:\d+)?(\/|$)/i;

export function LaunchForm({ projectId, versions, connections }: { projectId: string; versions: LaunchVersion[]; connections: LaunchConnection[] }) {
  const router = useRouter();
  const uid = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [kind, setKind] = useState<FineTuneKind>("fireworks_rft");
  const [texts, setTexts] = useState<Record<FineTuneKind, Record<string, string>>>(() => ({
    fireworks_rft: defaultTexts("fireworks_rft"),
    fireworks_sft: defaultTexts("fireworks_sft"),
    bedrock_sft: defaultTexts("bedrock_sft"),
  }));
  const [versionChoice, setVersionChoice] = useState(versions[0]?.id ?? "");
  const [connectionChoice, setConnectionChoice] = useState("");
  const [name, setName] = useState<string | null>(null);
  const [useValidation, setUseValidation] = useState(true);
  const [evaluatorUrl, setEvaluatorUrl] = useState("");
  const [touched, setTouched] = useState<Set<string>>(() => new Set());
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<{ path: string | null; message: string } | null>(null);
  // Made once per form: every send of this form, a double click included, carries the same key.
  const launchKey = useRef<string | null>(null);
  const sending = useRef(false);

  // The evaluator calls back the address people reach the studio at; this page's own by default.
  useEffect(() => {
    setEvaluatorUrl((current) => current || window.location.origin);
  }, []);

  const choice = KINDS.find((k) => k.kind === kind)!;
  const version = versions.find((v) => v.id === versionChoice) ?? versions[0];
  const usable = connections.filter((c) => c.kind === choice.provider);
  const connection = usable.find((c) => c.id === connectionChoice) ?? usable[0];
  const defaultName = version ? `${choice.label} v${version.version}` : choice.label;
  const jobName = name ?? defaultName;

  // The request as it would be sent, and what is wrong with it by field path.
  const settings: Record<string, unknown> = { useValidation };
  const numberErrors: Record<string, string> = {};
  for (const spec of SPECS[kind]) {
    const raw = texts[kind][spec.key] ?? "";
    if (!spec.numeric) {
      settings[spec.key] = raw;
      continue;
    }
    const n = readNumber(raw);
    settings[spec.key] = n;
    if (!Number.isFinite(n)) numberErrors[`settings.${spec.key}`] = `Type a number: ${spec.hint.charAt(0).toLowerCase()}${spec.hint.slice(1)}`;
  }
  const target = {
    kind,
    connectionId: connection?.id ?? "",
    datasetVersionId: version?.id ?? "",
    settings,
    ...(kind === "fireworks_rft" && evaluatorUrl.trim() ? { evaluatorUrl: evaluatorUrl.trim() } : {}),
  };
  const request = { ...target, name: jobName };
  // The key is made at the first launch; any well-formed one checks the rest the same way.
  const errors = { ...fieldErrors(launchFineTuneInput.safeParse({ ...request, launchKey: "checking-only" }).error), ...numberErrors };
  const settingsValid = Object.keys(errors).every((path) => path === "name");

  const estimateBody = version && connection && settingsValid ? JSON.stringify(target) : null;
  const debouncedBody = useDebounced(estimateBody, 500);
  const estimate = useQuery({
    queryKey: ["finetune-estimate", projectId, debouncedBody],
    queryFn: ({ signal }) => apiFetch<EstimateResponse>(`/api/projects/${projectId}/finetune/estimate`, { body: JSON.parse(debouncedBody!), signal }),
    enabled: debouncedBody !== null,
    retry: false,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
  const estimatePending = estimateBody !== debouncedBody || estimate.isFetching;

  const id = (key: string) => `${uid}-${key.replace(/\./g, "-")}`;
  const shown = (path: string): string | undefined => ((attempted || touched.has(path)) && errors[path] ? errors[path] : serverError?.path === path ? serverError.message : undefined);
  const touch = (path: string) => {
    setTouched((old) => (old.has(path) ? old : new Set(old).add(path)));
    if (serverError) setServerError(null);
  };

  async function launch() {
    if (sending.current) return;
    setAttempted(true);
    setServerError(null);
    if (Object.keys(errors).length > 0 || !version || !connection) {
      setTimeout(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    launchKey.current ??= newLaunchKey();
    sending.current = true;
    setBusy(true);
    try {
      const body = { ...request, launchKey: launchKey.current } as LaunchFineTuneRequest;
      const out = await apiFetch<{ job: { id: string }; created: boolean }>(`/api/projects/${projectId}/finetune`, { body });
      router.push(`/projects/${projectId}/jobs/${out.job.id}`);
    } catch (err) {
      const message = (err as Error).message;
      setServerError(serverFieldError(message, [...Object.keys(numberErrors), ...SPECS[kind].map((s) => `settings.${s.key}`), "name", "evaluatorUrl", "connectionId"]) ?? { path: null, message });
      sending.current = false;
      setBusy(false);
    }
  }

  if (versions.length === 0) {
    return (
      <div className="space-y-3 text-sm text-slate-600" data-testid="launch-no-version">
        <p className="font-medium text-slate-800">No approved dataset version yet</p>
        <p>A fine-tune trains on an approved version only: freeze the approved pairs into a version, and have a data lead sign it off.</p>
        <Link href={`/projects/${projectId}/datasets`} className={buttonClass("secondary")}>
          Go to Datasets
        </Link>
      </div>
    );
  }

  return (
    <form
      ref={formRef}
      className="space-y-4"
      aria-label="Launch a fine-tune"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void launch();
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          void launch();
        }
      }}
    >
      <fieldset>
        <legend className={labelClass}>Kind</legend>
        <div className="space-y-1.5">
          {KINDS.map((k) => (
            <label key={k.kind} className={cn("flex cursor-pointer items-start gap-2 rounded-md border px-2.5 py-2 text-sm", kind === k.kind ? "border-brand-500 bg-brand-50" : "border-slate-200 hover:bg-slate-50")}>
              <input
                type="radio"
                className="mt-0.5"
                name={id("kind")}
                value={k.kind}
                checked={kind === k.kind}
                onChange={() => setKind(k.kind)}
                aria-labelledby={id(`kind-${k.kind}-label`)}
                aria-describedby={id(`kind-${k.kind}`)}
              />
              <span>
                <span id={id(`kind-${k.kind}-label`)} className="font-medium text-slate-900">
                  {k.label}
                </span>
                <span id={id(`kind-${k.kind}`)} className="block text-xs text-slate-500">
                  {k.description}
                </span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      <Field id={id("datasetVersionId")} label="Dataset version" hint={version ? `${count(version.trainCount)} training pairs, ${count(version.validationCount)} validation pairs. Approved versions only.` : undefined} error={shown("datasetVersionId")}>
        {(p) => (
          <select {...p} className={inputClass} value={version?.id ?? ""} onChange={(e) => setVersionChoice(e.target.value)}>
            {versions.map((v) => (
              <option key={v.id} value={v.id}>
                v{v.version} · {v.name}
              </option>
            ))}
          </select>
        )}
      </Field>

      {usable.length === 0 ? (
        <div className="rounded-md border border-dashed border-slate-300 px-3 py-3 text-sm text-slate-600" data-testid="launch-no-connection">
          <p className="font-medium text-slate-800">No {choice.provider === "aws" ? "AWS" : "Fireworks"} connection yet</p>
          <p className="mt-1">
            {choice.provider === "aws"
              ? "Bedrock jobs run in an AWS account: a project admin adds its region, S3 bucket and IAM role on the Connections page."
              : "Fireworks jobs run in a Fireworks account: a project admin adds its API key and account id on the Connections page."}
          </p>
          <Link href={`/projects/${projectId}/connections`} className={buttonClass("secondary", "mt-2")}>
            Go to Connections
          </Link>
        </div>
      ) : (
        <>
          <Field
            id={id("connectionId")}
            label="Connection"
            hint={
              connection?.testOk === false ? (
                <span className="text-amber-700">Its last test failed: test it on the Connections page before launching.</span>
              ) : connection?.testOk === null ? (
                "Not tested yet; a test on the Connections page checks the key and the account first."
              ) : undefined
            }
            error={shown("connectionId")}
          >
            {(p) => (
              <select {...p} className={inputClass} value={connection?.id ?? ""} onChange={(e) => setConnectionChoice(e.target.value)}>
                {usable.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
          </Field>

          <Field id={id("name")} label="Name" hint="Up to 80 characters; shown in the list and on the endpoint it becomes." error={shown("name")}>
            {(p) => (
              <input
                {...p}
                className={inputClass}
                value={jobName}
                maxLength={80}
                onChange={(e) => {
                  setName(e.target.value);
                  touch("name");
                }}
              />
            )}
          </Field>

          <fieldset className="space-y-3">
            <legend className="mb-2 text-sm font-semibold text-slate-800">Settings</legend>
            <div className="grid grid-cols-2 gap-3">
              {SPECS[kind].map((spec) => {
                const path = `settings.${spec.key}`;
                const value = texts[kind][spec.key] ?? "";
                const change = (next: string) => {
                  setTexts((old) => ({ ...old, [kind]: { ...old[kind], [spec.key]: next } }));
                  touch(path);
                };
                return (
                  <Field key={`${kind}-${spec.key}`} id={id(`${kind}-${spec.key}`)} label={spec.label} hint={spec.hint} error={shown(path)} className={spec.wide ? "col-span-2" : undefined}>
                    {(p) =>
                      spec.control === "select" ? (
                        <select {...p} className={inputClass} value={value} onChange={(e) => change(e.target.value)}>
                          {spec.options!.map((o) => (
                            <option key={o.value} value={o.value}>
                              {o.label}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <input {...p} className={cn(inputClass, spec.control === "text" && "font-mono text-xs")} inputMode={spec.control === "number" ? "decimal" : undefined} spellCheck={false} value={value} onChange={(e) => change(e.target.value)} />
                      )
                    }
                  </Field>
                );
              })}
            </div>
            <div>
              <label className="flex items-center gap-2 text-sm text-slate-800">
                <input type="checkbox" checked={useValidation} onChange={(e) => setUseValidation(e.target.checked)} aria-describedby={id("useValidation-hint")} />
                Use the validation split
              </label>
              <p id={id("useValidation-hint")} className="mt-1 text-xs text-slate-500">
                {version && version.validationCount === 0
                  ? `v${version.version} has no validation split: the job trains without an evaluation dataset.`
                  : `The ${count(version?.validationCount ?? 0)} validation pairs become the job's evaluation dataset (the validation-loss curve).`}
              </p>
            </div>
            {kind === "fireworks_rft" && (
              <Field
                id={id("evaluatorUrl")}
                label="Studio address the evaluator calls"
                hint={
                  LOCAL_ADDRESS.test(evaluatorUrl.trim()) ? (
                    <span className="text-amber-700">Fireworks cannot reach a local address: give the studio&apos;s public address (or a tunnel to it), or the reward cannot run the SQL.</span>
                  ) : (
                    "Fireworks' evaluator calls this address to run each answer's SQL on the sandbox; it must be reachable from the internet."
                  )
                }
                error={shown("evaluatorUrl")}
              >
                {(p) => (
                  <input
                    {...p}
                    className={inputClass}
                    value={evaluatorUrl}
                    spellCheck={false}
                    onChange={(e) => {
                      setEvaluatorUrl(e.target.value);
                      touch("evaluatorUrl");
                    }}
                  />
                )}
              </Field>
            )}
          </fieldset>

          <EstimateBox
            ready={estimateBody !== null}
            pending={estimatePending}
            data={estimate.isError ? undefined : estimate.data}
            error={estimate.isError && !estimatePending ? (estimate.error as Error).message : null}
          />

          {attempted && Object.keys(errors).length > 0 && (
            <p role="alert" className="text-sm text-rose-700">
              Fix the marked field{Object.keys(errors).length === 1 ? "" : "s"}, then launch again.
            </p>
          )}
          {serverError && (
            <p role="alert" className="text-sm text-rose-700">
              {serverError.path ? `The studio refused the launch: ${serverError.message}` : serverError.message}
            </p>
          )}
          <div className="flex items-center gap-3">
            <button type="submit" className={buttonClass("primary", "flex-1")} disabled={busy} aria-busy={busy || undefined} aria-keyshortcuts="Control+Enter Meta+Enter">
              {busy ? "Launching…" : "Launch fine-tune"}
            </button>
            <kbd className="shrink-0 text-xs text-slate-500">Ctrl/⌘ + Enter</kbd>
          </div>
        </>
      )}
    </form>
  );
}

/** The live estimate: examples, tokens and cost with its basis, or why the files would be refused. */
function EstimateBox({ ready, pending, data, error }: { ready: boolean; pending: boolean; data: EstimateResponse | undefined; error: string | null }) {
  const titleId = useId();
  return (
    <section aria-labelledby={titleId} aria-live="polite" aria-busy={pending || undefined} className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2.5 text-sm" data-testid="finetune-estimate">
      <h3 id={titleId} className="flex items-center justify-between text-xs font-semibold uppercase tracking-wide text-slate-500">
        Estimate
        {ready && pending && <span className="font-normal normal-case tracking-normal text-slate-400">updating…</span>}
      </h3>
      {!ready ? (
        <p className="mt-1 text-slate-600">Fix the marked settings to see what the job would send and cost.</p>
      ) : error ? (
        <p className="mt-1 text-rose-700" data-testid="finetune-estimate-error">
          {error}
        </p>
      ) : !data ? (
        <p className="mt-1 text-slate-600">Building the files the job would send…</p>
      ) : (
        <div className={cn("mt-1 space-y-1.5", pending && "opacity-60")}>
          <p className="text-slate-700">
            {count(data.trainExamples)} training example{data.trainExamples === 1 ? "" : "s"}
            {data.validationExamples > 0 ? ` · ${count(data.validationExamples)} for validation` : " · no validation set"}
          </p>
          <p className="text-slate-700">
            {count(data.estimate.trainTokens)} tokens × {data.estimate.epochs} epoch{data.estimate.epochs === 1 ? "" : "s"} = {count(data.estimate.billedTokens)} training tokens
          </p>
          <p className="text-base font-semibold text-slate-900">
            Estimated cost: <span className="tabular-nums">{usd(data.estimate.usd)}</span>
          </p>
          <p className="text-xs text-slate-500">{data.estimate.basis}</p>
          {data.notes.length > 0 && (
            <ul className="list-disc space-y-0.5 pl-4 text-xs text-amber-800">
              {data.notes.map((note, i) => (
                <li key={i}>{note}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
