"use client";

import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/components/api";
import { Card } from "@/components/ui/card";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { MAX_EXPIRY_DAYS, type AccessTokenState, type AccessTokenSummary, type EvaluatorEndpoints } from "@/lib/sandbox-access/schemas";

interface TokenList {
  tokens: AccessTokenSummary[];
  endpoints: EvaluatorEndpoints;
}

interface CreatedToken {
  token: { id: string; name: string; hint: string; token: string; expiresAt: string | null };
  endpoints: EvaluatorEndpoints;
}

const STATE: Record<AccessTokenState, { label: string; tone: BadgeTone }> = {
  active: { label: "Active", tone: "green" },
  revoked: { label: "Revoked", tone: "gray" },
  expired: { label: "Expired", tone: "amber" },
};

function when(iso: string | null): string {
  return iso ? iso.slice(0, 16).replace("T", " ") : "—";
}

function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  return (
    <button
      type="button"
      className={buttonClass("secondary", "shrink-0 px-2 py-1 text-xs")}
      aria-label={label}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setCopied("yes");
        } catch {
          // Clipboard access needs a secure context; the value stays selectable on the page.
          setCopied("failed");
        }
        setTimeout(() => setCopied(null), 2000);
      }}
    >
      {copied === "yes" ? "Copied" : copied === "failed" ? "Select and copy" : "Copy"}
    </button>
  );
}

function CopyLine({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex items-center gap-2">
      <span className="w-28 shrink-0 text-xs text-slate-500">{label}</span>
      <code className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs text-slate-800">{value}</code>
      <CopyButton value={value} label={`Copy ${label}`} />
    </div>
  );
}

/** Tokens a remote evaluator uses to run read-only queries on this version's sandbox (data leads and admins). */
export function AccessPanel({ projectId, versionId, version, hasSandbox }: { projectId: string; versionId: string; version: number; hasSandbox: boolean }) {
  const queryClient = useQueryClient();
  const url = `/api/projects/${projectId}/datasets/${versionId}/access-tokens`;
  const queryKey = ["sandbox-access-tokens", projectId, versionId];
  const list = useQuery({ queryKey, queryFn: ({ signal }) => apiFetch<TokenList>(url, { signal }) });
  const [name, setName] = useState("");
  const [days, setDays] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);

  async function create(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const out = await apiFetch<CreatedToken>(url, { body: { name, expiresInDays: days.trim() ? Number(days) : null } });
      setCreated(out);
      setName("");
      setDays("");
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
      await queryClient.invalidateQueries({ queryKey });
    }
  }

  async function revoke(token: AccessTokenSummary) {
    if (!window.confirm(`Revoke "${token.name}" (…${token.hint})? An evaluator using it is refused from its next query on.`)) return;
    setError(null);
    try {
      await apiFetch(`${url}/${token.id}`, { method: "DELETE" });
      if (created?.token.id === token.id) setCreated(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      await queryClient.invalidateQueries({ queryKey });
    }
  }

  const endpoints = created?.endpoints ?? list.data?.endpoints;
  const tokens = list.data?.tokens ?? [];

  return (
    <Card
      title="Evaluator access"
      description={`For a reward function or evaluator running outside the studio (e.g. a Fireworks reinforcement fine-tuning evaluator): it sends the model's SQL with a token and gets the result from v${version}'s sandbox. A token runs read-only SELECT queries on this sandbox and nothing else: 5 s and 1,000 rows per query by default (maxRows up to 10,000), at a limited rate per token.`}
    >
      <div className="space-y-4">
        {endpoints && (
          <div className="space-y-1.5 rounded-md bg-slate-50 p-3">
            <CopyLine label="JSON endpoint" value={endpoints.query} />
            <CopyLine label="MCP server" value={endpoints.mcp} />
            <p className="text-xs text-slate-500">
              JSON: <code className="font-mono">POST {"{"}&quot;sql&quot;: &quot;SELECT …&quot;, &quot;maxRows&quot;: 1000{"}"}</code> with{" "}
              <code className="font-mono">Authorization: Bearer sbx_…</code>. MCP: Streamable HTTP with the same header; one tool, <code className="font-mono">query</code>.
            </p>
          </div>
        )}

        {created && (
          <div role="status" className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
            <p className="font-medium">Copy the token for &quot;{created.token.name}&quot; now: it will not be shown again.</p>
            <CopyLine label="Token" value={created.token.token} />
            <p className="text-xs">
              Try it:{" "}
              <code className="break-all font-mono">
                curl -X POST {created.endpoints.query} -H &quot;Authorization: Bearer {created.token.token}&quot; -H &quot;Content-Type: application/json&quot; -d
                &apos;{"{"}&quot;sql&quot;:&quot;SELECT 1&quot;{"}"}&apos;
              </code>
            </p>
            <button type="button" className={buttonClass("ghost", "text-xs")} onClick={() => setCreated(null)}>
              I have copied it
            </button>
          </div>
        )}

        {list.isPending && <p className="text-sm text-slate-500">Loading tokens…</p>}
        {list.isError && (
          <p role="alert" className="text-sm text-rose-700">
            {list.error.message}
          </p>
        )}
        {list.data && tokens.length === 0 && (
          <p className="text-sm text-slate-600">
            No evaluator tokens yet. Create one below and paste it into the evaluator&apos;s secret settings, with the JSON or MCP address above.
          </p>
        )}
        {tokens.length > 0 && (
          <table className="w-full text-sm">
            <thead className="text-left text-xs text-slate-500">
              <tr>
                <th className="py-1 pr-2 font-medium">Name</th>
                <th className="pr-2 font-medium">Token</th>
                <th className="pr-2 font-medium">Created</th>
                <th className="pr-2 font-medium">Last used</th>
                <th className="pr-2 font-medium">State</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id} className="border-t border-slate-100 align-top">
                  <td className="py-1.5 pr-2 text-slate-800">{t.name}</td>
                  <td className="pr-2 font-mono text-xs text-slate-600">sbx_…{t.hint}</td>
                  <td className="pr-2 text-xs whitespace-nowrap text-slate-600">
                    {when(t.createdAt)}
                    {t.createdBy ? ` by ${t.createdBy}` : ""}
                  </td>
                  <td className="pr-2 text-xs whitespace-nowrap text-slate-600">{t.lastUsedAt ? when(t.lastUsedAt) : "never"}</td>
                  <td className="pr-2">
                    <Badge tone={STATE[t.state].tone}>{STATE[t.state].label}</Badge>
                    <span className="ml-1 text-xs text-slate-500">
                      {t.state === "revoked" ? when(t.revokedAt) : t.expiresAt ? `${t.state === "expired" ? "" : "until "}${when(t.expiresAt)}` : ""}
                    </span>
                  </td>
                  <td className="text-right">
                    {t.state === "active" && (
                      <button type="button" className={buttonClass("ghost", "px-2 py-1 text-xs text-rose-700")} aria-label={`Revoke ${t.name}`} onClick={() => revoke(t)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}

        {hasSandbox ? (
          <form className="flex flex-wrap items-end gap-3 border-t border-slate-100 pt-4" onSubmit={create}>
            <div className="min-w-48 flex-1">
              <label htmlFor="access-token-name" className={labelClass}>
                Token name
              </label>
              <input
                id="access-token-name"
                className={inputClass}
                placeholder="e.g. Fireworks RFT evaluator"
                maxLength={80}
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
            <div className="w-44">
              <label htmlFor="access-token-days" className={labelClass}>
                Expires after (days)
              </label>
              <input
                id="access-token-days"
                className={inputClass}
                type="number"
                min={1}
                max={MAX_EXPIRY_DAYS}
                placeholder="never"
                value={days}
                onChange={(e) => setDays(e.target.value)}
              />
            </div>
            <button type="submit" className={buttonClass("primary")} disabled={busy || !name.trim()}>
              {busy ? "Creating…" : "Create token"}
            </button>
          </form>
        ) : (
          <p className="text-sm text-amber-800">This version has no sandbox, so there is nothing for an evaluator to query. Freeze a version from pairs executed on a sandbox.</p>
        )}
        {error && (
          <p role="alert" className="text-sm text-rose-700">
            {error}
          </p>
        )}
      </div>
    </Card>
  );
}
