"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";

// Adds a model endpoint: an OpenAI-compatible server, a Bedrock model (Converse), or few-shot
// prompting of one of those over the version's approved training pairs. Keys are sealed on the
// server and never come back.

type Kind = "openai_compatible" | "bedrock_converse" | "few_shot";

const EMPTY = {
  name: "",
  baseUrl: "",
  model: "",
  apiKey: "",
  region: "us-east-1",
  endpointUrl: "",
  accessKeyId: "",
  secretAccessKey: "",
  baseEndpointId: "",
  k: "5",
  temperature: "0",
  maxTokens: "1024",
  inputPrice: "",
  outputPrice: "",
};

function numberOr(text: string, what: string, { min, max, integer = false }: { min: number; max: number; integer?: boolean }): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new Error(`${what} must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}.`);
  }
  return n;
}

export function EndpointForm({ projectId, llmEndpoints }: { projectId: string; llmEndpoints: { id: string; name: string }[] }) {
  const router = useRouter();
  const [kind, setKind] = useState<Kind>("openai_compatible");
  const [form, setForm] = useState({ ...EMPTY, baseEndpointId: llmEndpoints[0]?.id ?? "" });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [k]: e.target.value });

  function body(): Record<string, unknown> {
    const settings: Record<string, unknown> = {
      temperature: numberOr(form.temperature, "Temperature", { min: 0, max: 2 }),
      maxTokens: numberOr(form.maxTokens, "Max tokens", { min: 16, max: 32_768, integer: true }),
    };
    if (form.inputPrice.trim() || form.outputPrice.trim()) {
      settings.pricing = {
        inputPerMillion: numberOr(form.inputPrice || "0", "The input price", { min: 0, max: 10_000 }),
        outputPerMillion: numberOr(form.outputPrice || "0", "The output price", { min: 0, max: 10_000 }),
      };
    }
    if (kind === "openai_compatible") return { kind, name: form.name, baseUrl: form.baseUrl, model: form.model, apiKey: form.apiKey, settings };
    if (kind === "bedrock_converse") {
      if (Boolean(form.accessKeyId.trim()) !== Boolean(form.secretAccessKey.trim())) throw new Error("Give both the access key id and the secret access key, or neither to use the server's AWS credentials.");
      return {
        kind,
        name: form.name,
        region: form.region,
        model: form.model,
        ...(form.endpointUrl.trim() ? { endpointUrl: form.endpointUrl.trim() } : {}),
        ...(form.accessKeyId.trim() ? { accessKeyId: form.accessKeyId.trim(), secretAccessKey: form.secretAccessKey.trim() } : {}),
        settings,
      };
    }
    if (!form.baseEndpointId) throw new Error("Add an OpenAI-compatible or Bedrock endpoint first: few-shot prompting needs a model to prompt.");
    return { kind, name: form.name, baseEndpointId: form.baseEndpointId, k: numberOr(form.k, "The number of examples", { min: 1, max: 20, integer: true }) };
  }

  return (
    <form
      className="space-y-2"
      autoComplete="off"
      aria-label="Add a model endpoint"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await apiFetch(`/api/projects/${projectId}/endpoints`, { body: body() });
          setForm({ ...EMPTY, baseEndpointId: llmEndpoints[0]?.id ?? "" });
          router.refresh();
        } catch (err) {
          setError((err as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <div>
        <label htmlFor="ep-kind" className={labelClass}>
          Kind
        </label>
        <select id="ep-kind" className={inputClass} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          <option value="openai_compatible">OpenAI-compatible (Fireworks, OpenAI, vLLM, Ollama…)</option>
          <option value="bedrock_converse">Amazon Bedrock (Converse)</option>
          <option value="few_shot">Few-shot prompting over approved pairs</option>
        </select>
      </div>
      <div>
        <label htmlFor="ep-name" className={labelClass}>
          Name
        </label>
        <input id="ep-name" className={inputClass} value={form.name} onChange={set("name")} placeholder={kind === "few_shot" ? "Qwen 7B, 5-shot" : "Qwen 7B base"} required maxLength={80} />
      </div>
      {kind === "openai_compatible" && (
        <>
          <div>
            <label htmlFor="ep-url" className={labelClass}>
              Base URL
            </label>
            <input id="ep-url" className={inputClass} value={form.baseUrl} onChange={set("baseUrl")} placeholder="https://api.example.com/v1" required />
          </div>
          <div>
            <label htmlFor="ep-model" className={labelClass}>
              Model
            </label>
            <input id="ep-model" className={inputClass} value={form.model} onChange={set("model")} placeholder="accounts/me/models/sql-7b" required />
          </div>
          <div>
            <label htmlFor="ep-key" className={labelClass}>
              API key
            </label>
            <input id="ep-key" type="password" className={inputClass} value={form.apiKey} onChange={set("apiKey")} placeholder="Stored encrypted; never shown again" />
          </div>
        </>
      )}
      {kind === "bedrock_converse" && (
        <>
          <div className="grid grid-cols-2 gap-2">
            <div>
              <label htmlFor="ep-region" className={labelClass}>
                Region
              </label>
              <input id="ep-region" className={inputClass} value={form.region} onChange={set("region")} placeholder="us-east-1" required />
            </div>
            <div>
              <label htmlFor="ep-bmodel" className={labelClass}>
                Model id or deployment ARN
              </label>
              <input id="ep-bmodel" className={inputClass} value={form.model} onChange={set("model")} placeholder="us.amazon.nova-micro-v1:0" required />
            </div>
          </div>
          <div>
            <label htmlFor="ep-akid" className={labelClass}>
              Access key id <span className="font-normal text-slate-500">(empty: the server&apos;s AWS credentials)</span>
            </label>
            <input id="ep-akid" className={inputClass} value={form.accessKeyId} onChange={set("accessKeyId")} />
          </div>
          <div>
            <label htmlFor="ep-secret" className={labelClass}>
              Secret access key
            </label>
            <input id="ep-secret" type="password" className={inputClass} value={form.secretAccessKey} onChange={set("secretAccessKey")} placeholder="Stored encrypted; never shown again" />
          </div>
          <div>
            <label htmlFor="ep-burl" className={labelClass}>
              Endpoint URL <span className="font-normal text-slate-500">(optional, e.g. a VPC endpoint)</span>
            </label>
            <input id="ep-burl" className={inputClass} value={form.endpointUrl} onChange={set("endpointUrl")} placeholder="https://bedrock-runtime.us-east-1.amazonaws.com" />
          </div>
        </>
      )}
      {kind === "few_shot" ? (
        <div className="grid grid-cols-[minmax(0,1fr)_5rem] gap-2">
          <div>
            <label htmlFor="ep-base" className={labelClass}>
              Model to prompt
            </label>
            <select id="ep-base" className={inputClass} value={form.baseEndpointId} onChange={set("baseEndpointId")}>
              {llmEndpoints.length === 0 && <option value="">Add a model endpoint first</option>}
              {llmEndpoints.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="ep-k" className={labelClass}>
              Examples
            </label>
            <input id="ep-k" className={inputClass} inputMode="numeric" value={form.k} onChange={set("k")} />
          </div>
          <p className="col-span-2 text-xs text-slate-500">Each question is sent with the k most similar approved pairs of the version&apos;s training split, as worked examples. Prices and settings are the prompted model&apos;s.</p>
        </div>
      ) : (
        <details className="text-sm">
          <summary className="cursor-pointer text-slate-600">Generation and prices</summary>
          <div className="mt-2 grid grid-cols-2 gap-2">
            <div>
              <label htmlFor="ep-temp" className={labelClass}>
                Temperature
              </label>
              <input id="ep-temp" className={inputClass} inputMode="decimal" value={form.temperature} onChange={set("temperature")} />
            </div>
            <div>
              <label htmlFor="ep-max" className={labelClass}>
                Max tokens
              </label>
              <input id="ep-max" className={inputClass} inputMode="numeric" value={form.maxTokens} onChange={set("maxTokens")} />
            </div>
            <div>
              <label htmlFor="ep-pin" className={labelClass}>
                $ per 1M input tokens
              </label>
              <input id="ep-pin" className={inputClass} inputMode="decimal" value={form.inputPrice} onChange={set("inputPrice")} placeholder="0.035" />
            </div>
            <div>
              <label htmlFor="ep-pout" className={labelClass}>
                $ per 1M output tokens
              </label>
              <input id="ep-pout" className={inputClass} inputMode="decimal" value={form.outputPrice} onChange={set("outputPrice")} placeholder="0.14" />
            </div>
            <p className="col-span-2 text-xs text-slate-500">Prices turn token counts into cost per 1,000 questions and a monthly projection on the scorecard.</p>
          </div>
        </details>
      )}
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      <button type="submit" className={buttonClass("secondary", "w-full")} disabled={busy}>
        {busy ? "Adding…" : "Add endpoint"}
      </button>
    </form>
  );
}
