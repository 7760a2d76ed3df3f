"use client";

import { useRouter } from "next/navigation";
import { useId, useRef, useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { Field, fieldErrors, readNumber, serverFieldError } from "@/components/ui/field";
import {
  awsConnectionSettings,
  createConnectionInput,
  fireworksConnectionSettings,
  updateConnectionInput,
  type AwsConnectionSettings,
  type ConnectionKind,
  type ConnectionView,
  type FireworksConnectionSettings,
} from "@/lib/providers/connections";

// Adds a connection, or edits one (rename, settings, replace the key). The same schemas as the
// server check every field before sending, so each rule is said next to its field; a key is never
// shown back, only replaced when a new one is typed.

const FW = fireworksConnectionSettings.shape;
const AWS = awsConnectionSettings.shape;
// The schemas' own defaults (a default's parse of undefined is the default).
const DEFAULTS = {
  apiBaseUrl: FW.apiBaseUrl.parse(undefined),
  inferenceBaseUrl: FW.inferenceBaseUrl.parse(undefined),
  fwPrice: FW.trainingPricePerMillion.parse(undefined),
  acceleratorType: FW.acceleratorType.parse(undefined),
  region: AWS.region.parse(undefined),
  prefix: AWS.prefix.parse(undefined),
  awsPrice: AWS.trainingPricePerMillion.parse(undefined),
};

const apiKeySchema = createConnectionInput.options[0].shape.apiKey;

interface Texts {
  name: string;
  apiKey: string;
  accountId: string;
  apiBaseUrl: string;
  inferenceBaseUrl: string;
  fwPrice: string;
  acceleratorType: string;
  region: string;
  credentialMode: "chain" | "keys";
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  prefix: string;
  roleArn: string;
  bedrockEndpoint: string;
  runtimeEndpoint: string;
  s3Endpoint: string;
  awsPrice: string;
}

function initialTexts(existing?: ConnectionView): Texts {
  const fw = existing?.kind === "fireworks" ? (existing.settings as FireworksConnectionSettings) : null;
  const aws = existing?.kind === "aws" ? (existing.settings as AwsConnectionSettings) : null;
  return {
    name: existing?.name ?? "",
    apiKey: "",
    accountId: fw?.accountId ?? "",
    apiBaseUrl: fw?.apiBaseUrl ?? DEFAULTS.apiBaseUrl,
    inferenceBaseUrl: fw?.inferenceBaseUrl ?? DEFAULTS.inferenceBaseUrl,
    fwPrice: String(fw?.trainingPricePerMillion ?? DEFAULTS.fwPrice),
    acceleratorType: fw?.acceleratorType ?? DEFAULTS.acceleratorType,
    region: aws?.region ?? DEFAULTS.region,
    credentialMode: aws?.credentialMode ?? "chain",
    accessKeyId: "",
    secretAccessKey: "",
    bucket: aws?.bucket ?? "",
    prefix: aws?.prefix ?? DEFAULTS.prefix,
    roleArn: aws?.roleArn ?? "",
    bedrockEndpoint: aws?.bedrockEndpoint ?? "",
    runtimeEndpoint: aws?.runtimeEndpoint ?? "",
    s3Endpoint: aws?.s3Endpoint ?? "",
    awsPrice: String(aws?.trainingPricePerMillion ?? DEFAULTS.awsPrice),
  };
}

const PRICE_PATH = "settings.trainingPricePerMillion";
const ADVANCED_PATHS = ["settings.apiBaseUrl", "settings.inferenceBaseUrl", "settings.acceleratorType", "settings.bedrockEndpoint", "settings.runtimeEndpoint", "settings.s3Endpoint", PRICE_PATH];
const FIELD_PATHS = [
  "name",
  "apiKey",
  "accessKeyId",
  "secretAccessKey",
  "settings.accountId",
  "settings.region",
  "settings.credentialMode",
  "settings.bucket",
  "settings.prefix",
  "settings.roleArn",
  ...ADVANCED_PATHS,
];

const optional = (text: string) => text.trim() || undefined;

/**
 * The request body for the kind, and what is wrong with it by field path. An emptied field that has
 * a default sends the default, so an edit resets it instead of keeping the old value.
 */
function build(kind: ConnectionKind, t: Texts, existing?: ConnectionView): { body: Record<string, unknown>; errors: Record<string, string> } {
  const price = kind === "fireworks" ? t.fwPrice : t.awsPrice;
  const settings =
    kind === "fireworks"
      ? {
          accountId: t.accountId,
          apiBaseUrl: t.apiBaseUrl.trim() || DEFAULTS.apiBaseUrl,
          inferenceBaseUrl: t.inferenceBaseUrl.trim() || DEFAULTS.inferenceBaseUrl,
          trainingPricePerMillion: price.trim() === "" ? DEFAULTS.fwPrice : readNumber(price),
          acceleratorType: t.acceleratorType.trim() || DEFAULTS.acceleratorType,
        }
      : {
          region: t.region,
          credentialMode: t.credentialMode,
          bucket: t.bucket,
          prefix: t.prefix,
          roleArn: t.roleArn,
          bedrockEndpoint: t.bedrockEndpoint,
          runtimeEndpoint: t.runtimeEndpoint,
          s3Endpoint: t.s3Endpoint,
          trainingPricePerMillion: price.trim() === "" ? DEFAULTS.awsPrice : readNumber(price),
        };
  const keys = kind === "aws" && t.credentialMode === "keys" ? { accessKeyId: optional(t.accessKeyId), secretAccessKey: optional(t.secretAccessKey) } : {};
  const errors: Record<string, string> = {};

  let body: Record<string, unknown>;
  if (!existing) {
    body = kind === "fireworks" ? { kind, name: t.name, apiKey: t.apiKey, settings } : { kind, name: t.name, settings, ...keys };
    Object.assign(errors, fieldErrors(createConnectionInput.safeParse(body).error));
  } else {
    body = { name: t.name, settings, ...(kind === "fireworks" && t.apiKey.trim() ? { apiKey: t.apiKey } : {}), ...keys };
    const { settings: _settings, ...rest } = body;
    void _settings;
    Object.assign(errors, fieldErrors(updateConnectionInput.safeParse(rest).error));
    if (typeof rest.apiKey === "string") {
      const key = apiKeySchema.safeParse(rest.apiKey);
      if (!key.success) errors.apiKey = key.error.issues[0]?.message ?? "Paste the whole API key.";
    }
    const checked = kind === "fireworks" ? fireworksConnectionSettings.safeParse(settings) : awsConnectionSettings.safeParse(settings);
    for (const [path, message] of Object.entries(fieldErrors(checked.error))) errors[`settings.${path}`] ??= message;
  }

  if (kind === "aws" && t.credentialMode === "keys") {
    const hasId = !!keys.accessKeyId;
    const hasSecret = !!keys.secretAccessKey;
    // Editing a connection that already holds keys: both empty keeps them.
    const keepsStored = !!existing?.secretHint && existing.kind === "aws" && (existing.settings as AwsConnectionSettings).credentialMode === "keys" && !hasId && !hasSecret;
    if (!keepsStored) {
      if (!hasId) errors.accessKeyId ??= "Give the access key id (or use the default credential chain).";
      if (!hasSecret) errors.secretAccessKey ??= "Give the secret access key (or use the default credential chain).";
    }
  }
  if (errors["settings.acceleratorType"]) errors["settings.acceleratorType"] = "At most 60 characters, like NVIDIA_H100_80GB.";
  if (price.trim() !== "" && !Number.isFinite(readNumber(price))) errors[PRICE_PATH] = "Type a price in US dollars, like 0.5.";
  else if (errors[PRICE_PATH]) errors[PRICE_PATH] = "The price is a number of US dollars from 0 to 1000.";
  return { body, errors };
}

export function ConnectionForm({ projectId, existing, onDone }: { projectId: string; existing?: ConnectionView; onDone?: () => void }) {
  const router = useRouter();
  const uid = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [kind, setKind] = useState<ConnectionKind>(existing?.kind ?? "fireworks");
  const [t, setT] = useState<Texts>(() => initialTexts(existing));
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<{ path: string | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [advancedOpen, setAdvancedOpen] = useState(false);

  const { body, errors } = build(kind, t, existing);
  const shown = (path: string): string | undefined => (submitted ? errors[path] : undefined) ?? (serverError?.path === path ? serverError.message : undefined);
  const id = (name: string) => `${uid}-${name}`;
  const set = (key: keyof Texts) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setT((old) => ({ ...old, [key]: e.target.value }));
    if (serverError?.path) setServerError(null);
  };
  const hint = existing?.secretHint ? `…${existing.secretHint}` : null;

  async function submit() {
    setSubmitted(true);
    setServerError(null);
    if (Object.keys(errors).length > 0) {
      if (Object.keys(errors).some((p) => ADVANCED_PATHS.includes(p))) setAdvancedOpen(true);
      setTimeout(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    setBusy(true);
    try {
      if (existing) {
        await apiFetch(`/api/projects/${projectId}/connections/${existing.id}`, { method: "PATCH", body });
        onDone?.();
      } else {
        await apiFetch(`/api/projects/${projectId}/connections`, { body });
        setT(initialTexts());
        setSubmitted(false);
      }
      router.refresh();
    } catch (err) {
      const message = (err as Error).message;
      const onField = serverFieldError(message, FIELD_PATHS);
      setServerError(onField ?? { path: null, message });
      if (onField && ADVANCED_PATHS.includes(onField.path)) setAdvancedOpen(true);
    } finally {
      setBusy(false);
    }
  }

  const urlHint = "Empty: AWS's own address. For a VPC endpoint or a local stand-in; an http(s) address without credentials.";
  return (
    <form
      ref={formRef}
      className="space-y-3"
      autoComplete="off"
      noValidate
      aria-label={existing ? `Edit ${existing.name}` : "Add a connection"}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {!existing && (
        <fieldset>
          <legend className={labelClass}>Provider</legend>
          <div className="flex gap-4 text-sm text-slate-800">
            {(["fireworks", "aws"] as const).map((k) => (
              <label key={k} className="flex items-center gap-1.5">
                <input type="radio" name={id("kind")} value={k} checked={kind === k} onChange={() => setKind(k)} />
                {k === "fireworks" ? "Fireworks" : "AWS"}
              </label>
            ))}
          </div>
          <p className="mt-1 text-xs text-slate-500">{kind === "fireworks" ? "Reinforcement (RFT) and supervised (SFT) fine-tuning of open models." : "Amazon Nova fine-tuning on Bedrock, with the training files in your S3 bucket."}</p>
        </fieldset>
      )}

      <Field id={id("name")} label="Name" hint="Up to 60 characters, unique in this project." error={shown("name")}>
        {(p) => <input {...p} className={inputClass} value={t.name} onChange={set("name")} maxLength={60} placeholder={kind === "fireworks" ? "Fireworks (team account)" : "AWS us-east-1"} />}
      </Field>

      {kind === "fireworks" ? (
        <>
          <Field
            id={id("apiKey")}
            label={existing ? "New API key" : "API key"}
            hint={existing ? (hint ? `Leave empty to keep the key ending ${hint}.` : "No key is stored: paste one.") : "Stored encrypted; only its last 4 characters are ever shown."}
            error={shown("apiKey")}
          >
            {(p) => <input {...p} type="password" autoComplete="new-password" className={inputClass} value={t.apiKey} onChange={set("apiKey")} />}
          </Field>
          <Field id={id("accountId")} label="Account id" hint="The lower-case id in accounts/<id>/… (letters, digits, dashes)." error={shown("settings.accountId")}>
            {(p) => <input {...p} className={inputClass} value={t.accountId} onChange={set("accountId")} placeholder="my-team" spellCheck={false} />}
          </Field>
        </>
      ) : (
        <>
          <Field id={id("region")} label="Region" hint="The AWS region Bedrock fine-tunes in, like us-east-1." error={shown("settings.region")}>
            {(p) => <input {...p} className={inputClass} value={t.region} onChange={set("region")} spellCheck={false} />}
          </Field>
          <fieldset>
            <legend className={labelClass}>Credentials</legend>
            <div className="space-y-1 text-sm text-slate-800">
              <label className="flex items-center gap-1.5">
                <input type="radio" name={id("mode")} checked={t.credentialMode === "chain"} onChange={() => setT((old) => ({ ...old, credentialMode: "chain" }))} />
                Default credential chain of the studio&apos;s host
              </label>
              <label className="flex items-center gap-1.5">
                <input type="radio" name={id("mode")} checked={t.credentialMode === "keys"} onChange={() => setT((old) => ({ ...old, credentialMode: "keys" }))} />
                Access keys
              </label>
            </div>
            <p className="mt-1 text-xs text-slate-500">
              {t.credentialMode === "chain"
                ? "The environment variables, profile or instance role of the machine the studio runs on sign the calls; nothing is stored."
                : "An access key pair, stored encrypted; only the last 4 characters of the key id are ever shown."}
            </p>
          </fieldset>
          {t.credentialMode === "keys" && (
            <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-1">
              <Field
                id={id("accessKeyId")}
                label="Access key id"
                hint={existing && hint ? `16–128 upper-case letters and digits. Leave both empty to keep the keys ending ${hint}.` : "16–128 upper-case letters and digits."}
                error={shown("accessKeyId")}
              >
                {(p) => <input {...p} className={inputClass} value={t.accessKeyId} onChange={set("accessKeyId")} spellCheck={false} />}
              </Field>
              <Field id={id("secretAccessKey")} label="Secret access key" hint="Stored encrypted; never shown again." error={shown("secretAccessKey")}>
                {(p) => <input {...p} type="password" autoComplete="new-password" className={inputClass} value={t.secretAccessKey} onChange={set("secretAccessKey")} />}
              </Field>
            </div>
          )}
          <Field id={id("bucket")} label="S3 bucket" hint="3–63 lower-case letters, digits, dots and dashes. The training files are uploaded here." error={shown("settings.bucket")}>
            {(p) => <input {...p} className={inputClass} value={t.bucket} onChange={set("bucket")} placeholder="my-training-data" spellCheck={false} />}
          </Field>
          <Field id={id("prefix")} label="Prefix" hint={`Letters, digits and _ - / . only (Bedrock's file-name rule). Files go under s3://${t.bucket || "bucket"}/${t.prefix ? `${t.prefix.replace(/^\/+|\/+$/g, "")}/` : ""}…`} error={shown("settings.prefix")}>
            {(p) => <input {...p} className={inputClass} value={t.prefix} onChange={set("prefix")} spellCheck={false} />}
          </Field>
          <Field id={id("roleArn")} label="IAM role ARN" hint="The role Bedrock assumes to read the files and write the model, like arn:aws:iam::123456789012:role/BedrockNovaCustomModelRole." error={shown("settings.roleArn")}>
            {(p) => <input {...p} className={inputClass} value={t.roleArn} onChange={set("roleArn")} spellCheck={false} />}
          </Field>
        </>
      )}

      <details className="text-sm" open={advancedOpen} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}>
        <summary className="cursor-pointer text-slate-600">Advanced</summary>
        <div className="mt-2 space-y-3">
          {kind === "fireworks" ? (
            <>
              <Field id={id("apiBaseUrl")} label="API address" hint={`Empty: ${DEFAULTS.apiBaseUrl}. An http(s) address without credentials.`} error={shown("settings.apiBaseUrl")}>
                {(p) => <input {...p} className={inputClass} value={t.apiBaseUrl} onChange={set("apiBaseUrl")} spellCheck={false} />}
              </Field>
              <Field id={id("inferenceBaseUrl")} label="Inference address" hint={`Empty: ${DEFAULTS.inferenceBaseUrl}. Evaluations call deployed models here.`} error={shown("settings.inferenceBaseUrl")}>
                {(p) => <input {...p} className={inputClass} value={t.inferenceBaseUrl} onChange={set("inferenceBaseUrl")} spellCheck={false} />}
              </Field>
              <Field id={id("fwPrice")} label="Training price per 1M tokens (USD)" hint={`0 to 1000; empty: $${DEFAULTS.fwPrice}. Prices supervised jobs; RFT of models under 16B is listed as free.`} error={shown(PRICE_PATH)}>
                {(p) => <input {...p} className={inputClass} inputMode="decimal" value={t.fwPrice} onChange={set("fwPrice")} />}
              </Field>
              <Field id={id("acceleratorType")} label="GPU for deployments" hint={`The accelerator type a fine-tuned model is deployed on; empty: ${DEFAULTS.acceleratorType}.`} error={shown("settings.acceleratorType")}>
                {(p) => <input {...p} className={inputClass} value={t.acceleratorType} onChange={set("acceleratorType")} spellCheck={false} />}
              </Field>
            </>
          ) : (
            <>
              <Field id={id("bedrockEndpoint")} label="Bedrock address" hint={urlHint} error={shown("settings.bedrockEndpoint")}>
                {(p) => <input {...p} className={inputClass} value={t.bedrockEndpoint} onChange={set("bedrockEndpoint")} placeholder="https://bedrock.us-east-1.amazonaws.com" spellCheck={false} />}
              </Field>
              <Field id={id("runtimeEndpoint")} label="Bedrock runtime address" hint={urlHint} error={shown("settings.runtimeEndpoint")}>
                {(p) => <input {...p} className={inputClass} value={t.runtimeEndpoint} onChange={set("runtimeEndpoint")} placeholder="https://bedrock-runtime.us-east-1.amazonaws.com" spellCheck={false} />}
              </Field>
              <Field id={id("s3Endpoint")} label="S3 address" hint={urlHint} error={shown("settings.s3Endpoint")}>
                {(p) => <input {...p} className={inputClass} value={t.s3Endpoint} onChange={set("s3Endpoint")} placeholder="https://s3.us-east-1.amazonaws.com" spellCheck={false} />}
              </Field>
              <Field id={id("awsPrice")} label="Training price per 1M tokens (USD)" hint={`0 to 1000; empty: $${DEFAULTS.awsPrice} ($0.001 per 1K tokens, per epoch).`} error={shown(PRICE_PATH)}>
                {(p) => <input {...p} className={inputClass} inputMode="decimal" value={t.awsPrice} onChange={set("awsPrice")} />}
              </Field>
            </>
          )}
        </div>
      </details>

      {submitted && Object.keys(errors).length > 0 && (
        <p role="alert" className="text-sm text-rose-700">
          Fix the marked field{Object.keys(errors).length === 1 ? "" : "s"}, then {existing ? "save" : "add the connection"} again.
        </p>
      )}
      {serverError && (
        <p role="alert" className="text-sm text-rose-700">
          {serverError.path ? `The studio refused it: ${serverError.message}` : serverError.message}
        </p>
      )}
      <div className="flex gap-2">
        <button type="submit" className={buttonClass(existing ? "primary" : "secondary", existing ? undefined : "w-full")} disabled={busy} aria-busy={busy || undefined}>
          {busy ? (existing ? "Saving…" : "Adding…") : existing ? "Save changes" : "Add connection"}
        </button>
        {existing && (
          <button type="button" className={buttonClass("ghost")} onClick={onDone} disabled={busy}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
