import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { requireProjectPage } from "@/lib/auth/server/page";
import { auditFilterInput, listAuditEvents } from "@/lib/audit/server/service";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { buttonClass, inputClass } from "@/components/ui/button";

export const dynamic = "force-dynamic";
export const metadata = { title: "Audit trail" };

export default async function AuditPage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<Record<string, string>> }) {
  const { projectId } = await params;
  const { allowed } = await requireProjectPage(projectId, "audit.view");
  if (!allowed) return <EmptyState title="The audit trail is for data leads and admins">Ask a project admin if you need to see it.</EmptyState>;
  const raw = await searchParams;
  const parsed = auditFilterInput.safeParse(raw);
  const filter = parsed.success ? parsed.data : { take: 200 };
  const { events, actions } = await listAuditEvents(getDb(), projectId, filter);
  const query = new URLSearchParams(Object.entries(raw).filter(([k, v]) => v && k !== "format")).toString();
  const exportHref = (format: string) => `/api/projects/${projectId}/audit?${query ? `${query}&` : ""}format=${format}`;
  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Every change, who made it and when. Events are written with the change itself and never edited."
        actions={
          <>
            <a className={buttonClass("secondary")} href={exportHref("csv")} download>
              Export CSV
            </a>
            <a className={buttonClass("secondary")} href={exportHref("json")} download>
              Export JSON
            </a>
          </>
        }
      />
      <Card>
        <form className="mb-4 flex flex-wrap items-end gap-2 text-sm" method="get">
          <div className="w-64">
          <select name="action" aria-label="Action" defaultValue={raw.action ?? ""} className={inputClass}>
            <option value="">All actions</option>
            {actions.map((a) => (
              <option key={a.action} value={a.action}>
                {a.action} ({a.count})
              </option>
            ))}
          </select>
          </div>
          <label className="flex items-center gap-1 text-slate-600">
            from <input type="date" name="from" aria-label="From" defaultValue={raw.from ?? ""} className={`${inputClass} !w-40`} />
          </label>
          <label className="flex items-center gap-1 text-slate-600">
            to <input type="date" name="to" aria-label="To" defaultValue={raw.to ?? ""} className={`${inputClass} !w-40`} />
          </label>
          <button className={buttonClass("secondary")}>Filter</button>
          {query && (
            <Link href={`/projects/${projectId}/audit`} className="text-brand-700 hover:underline">
              Clear
            </Link>
          )}
        </form>
        {!parsed.success && <p role="alert" className="mb-2 text-sm text-rose-700">Some filters were not valid and were ignored.</p>}
        {events.length === 0 ? (
          <p className="text-sm text-slate-500">No events match.</p>
        ) : (
          <table className="w-full text-sm">
            <thead className="text-left text-xs text-slate-500">
              <tr>
                <th className="py-1">When (UTC)</th>
                <th>Who</th>
                <th>Action</th>
                <th>What</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} className="border-t border-slate-100 align-top" data-testid="audit-event">
                  <td className="whitespace-nowrap py-1 pr-3 tabular-nums text-slate-600">{e.at.slice(0, 19).replace("T", " ")}</td>
                  <td className="pr-3 text-slate-700">{e.user}</td>
                  <td className="pr-3 font-mono text-xs text-slate-700">{e.action}</td>
                  <td className="text-slate-800">{e.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
