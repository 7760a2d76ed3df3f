"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { ROLES, ROLE_LABELS, type Role } from "@/lib/auth/policy";

export function MemberControls({ projectId, userId, role }: { projectId: string; userId: string; role: Role }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="flex items-center gap-2">
      {error && <span role="alert" className="max-w-xs text-xs text-rose-700">{error}</span>}
      <select
        aria-label="Role"
        className={`${inputClass} w-36`}
        defaultValue={role}
        onChange={async (e) => {
          setError(null);
          try {
            await apiFetch(`/api/projects/${projectId}/members/${userId}`, { method: "PATCH", body: { role: e.target.value } });
            router.refresh();
          } catch (err) {
            setError((err as Error).message);
            e.target.value = role;
          }
        }}
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </select>
      <button
        className={buttonClass("ghost", "text-rose-700")}
        onClick={async () => {
          if (!window.confirm("Remove this member from the project?")) return;
          setError(null);
          try {
            await apiFetch(`/api/projects/${projectId}/members/${userId}`, { method: "DELETE" });
            router.refresh();
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        Remove
      </button>
    </span>
  );
}

export function InviteForm({ projectId }: { projectId: string }) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("analyst");
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="space-y-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        setLink(null);
        try {
          const out = await apiFetch<{ invitation: { url: string } }>(`/api/projects/${projectId}/invitations`, { body: { email, role } });
          setLink(out.invitation.url);
          setEmail("");
          router.refresh();
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <div>
        <label htmlFor="invite-email" className={labelClass}>
          Email
        </label>
        <input id="invite-email" type="email" className={inputClass} value={email} onChange={(e) => setEmail(e.target.value)} required />
      </div>
      <div>
        <label htmlFor="invite-role" className={labelClass}>
          Role
        </label>
        <select id="invite-role" className={inputClass} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </div>
      {error && <p role="alert" className="text-sm text-rose-700">{error}</p>}
      {link && (
        <div role="status" className="rounded-md bg-amber-50 p-2 text-sm text-amber-900">
          Send this link; it is shown only once:
          <code className="mt-1 block break-all font-mono text-xs" data-testid="invitation-link">{link}</code>
        </div>
      )}
      <button className={buttonClass("primary", "w-full")}>Create invitation link</button>
    </form>
  );
}

export function RevokeInvitationButton({ projectId, invitationId }: { projectId: string; invitationId: string }) {
  const router = useRouter();
  return (
    <button
      className={buttonClass("ghost", "px-2 py-0.5 text-xs text-rose-700")}
      onClick={async () => {
        await apiFetch(`/api/projects/${projectId}/invitations/${invitationId}`, { method: "DELETE" }).catch(() => {});
        router.refresh();
      }}
    >
      Revoke
    </button>
  );
}
