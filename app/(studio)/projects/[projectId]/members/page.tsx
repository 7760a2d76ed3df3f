import { getDb } from "@/lib/db/server/client";
import { requireProjectPage } from "@/lib/auth/server/page";
import { listMembers } from "@/lib/auth/server/users";
import { ROLE_LABELS, isRole } from "@/lib/auth/policy";
import { Card, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { InviteForm, MemberControls, RevokeInvitationButton } from "./member-controls";

export const dynamic = "force-dynamic";
export const metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { allowed, user } = await requireProjectPage(projectId, "project.admin");
  const { members, invitations } = await listMembers(getDb(), projectId);
  return (
    <>
      <PageHeader title="Members" description="Viewers read; analysts review pairs and generate queries; data leads also change the schema, build sandboxes, freeze, sign off and export versions and run evaluations; admins also manage members." />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_360px]">
        <Card title={`${members.length} member${members.length === 1 ? "" : "s"}`}>
          <ul className="divide-y divide-slate-100">
            {members.map((m) => (
              <li key={m.userId} className="flex items-center justify-between gap-3 py-2 text-sm" data-testid="member">
                <span>
                  <span className="font-medium text-slate-900">{m.name}</span> <span className="text-slate-500">{m.email}</span>
                  {m.userId === user.id && <span className="ml-1 text-xs text-slate-400">(you)</span>}
                </span>
                {allowed ? <MemberControls projectId={projectId} userId={m.userId} role={m.role} /> : <Badge>{isRole(m.role) ? ROLE_LABELS[m.role] : m.role}</Badge>}
              </li>
            ))}
          </ul>
        </Card>
        {allowed && (
          <div className="space-y-6">
            <Card title="Invite someone" description="You get a one-use link, valid 7 days, to send them yourself.">
              <InviteForm projectId={projectId} />
            </Card>
            {invitations.length > 0 && (
              <Card title="Open invitations">
                <ul className="space-y-1 text-sm">
                  {invitations.map((i) => (
                    <li key={i.id} className="flex items-center justify-between gap-2">
                      <span>
                        {i.email} <span className="text-xs text-slate-500">as {isRole(i.role) ? ROLE_LABELS[i.role] : i.role}, until {i.expiresAt.slice(0, 10)}</span>
                      </span>
                      <RevokeInvitationButton projectId={projectId} invitationId={i.id} />
                    </li>
                  ))}
                </ul>
              </Card>
            )}
          </div>
        )}
      </div>
    </>
  );
}
