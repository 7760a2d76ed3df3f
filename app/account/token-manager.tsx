"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass } from "@/components/ui/button";

interface Token {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export function TokenManager({ initial }: { initial: Token[] }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [fresh, setFresh] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-4">
      <form
        className="flex gap-2"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            const out = await apiFetch<{ token: { token: string } }>("/api/auth/tokens", { body: { name } });
            setFresh(out.token.token);
            setName("");
            router.refresh();
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <input aria-label="Token name" className={inputClass} placeholder="e.g. nightly export script" value={name} onChange={(e) => setName(e.target.value)} />
        <button className={buttonClass("primary")} disabled={!name.trim()}>
          Create token
        </button>
      </form>
      {error && <p role="alert" className="text-sm text-rose-700">{error}</p>}
      {fresh && (
        <div role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          Copy it now; it will not be shown again:
          <code className="mt-1 block break-all rounded bg-white px-2 py-1 font-mono text-xs">{fresh}</code>
        </div>
      )}
      <ul className="divide-y divide-slate-100 text-sm">
        {initial.length === 0 && <li className="py-2 text-slate-500">No tokens yet.</li>}
        {initial.map((t) => (
          <li key={t.id} className="flex items-center justify-between py-2">
            <span>
              {t.name} <span className="text-xs text-slate-500">created {t.createdAt.slice(0, 10)}{t.lastUsedAt ? `, last used ${t.lastUsedAt.slice(0, 16).replace("T", " ")}` : ", never used"}</span>
            </span>
            <button
              className={buttonClass("ghost", "text-rose-700")}
              onClick={async () => {
                await apiFetch(`/api/auth/tokens/${t.id}`, { method: "DELETE" }).catch((err) => setError((err as Error).message));
                router.refresh();
              }}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
