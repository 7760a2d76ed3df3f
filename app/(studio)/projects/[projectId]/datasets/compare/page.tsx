import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { compareDatasetVersions, listDatasetVersions } from "@/lib/datasets/server/service";
import { approvalStateLabel, approvalStateTone } from "@/lib/datasets/approval";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, EmptyState, PageHeader, Stat } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { CompareForm } from "../compare-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Compare dataset versions" };

const SPLIT_LABEL: Record<string, string> = { train: "Train", validation: "Validation", test: "Test", heldout: "Held out" };

type Brief = { pairId: string; split: string; question: string; sql: string };

function PairList({ items, emptyText }: { items: Brief[]; emptyText: string }) {
  if (items.length === 0) return <p className="text-sm text-slate-500">{emptyText}</p>;
  return (
    <ul className="divide-y divide-slate-100 text-sm">
      {items.map((i) => (
        <li key={i.pairId} className="py-1.5">
          <div className="flex items-start gap-2">
            <Badge tone="gray">{i.split}</Badge>
            <div>
              <div className="text-slate-800">{i.question}</div>
              <code className="block whitespace-pre-wrap font-mono text-xs text-slate-500">{i.sql}</code>
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

function pageNote(list: { total: number; offset: number; items: unknown[]; capped: boolean }): string {
  if (list.total === 0) return "none";
  const shown = list.items.length;
  return list.capped || list.offset > 0 ? `${list.offset + 1}–${list.offset + shown} of ${list.total} shown (at most 500 at a time)` : `${list.total}`;
}

export default async function CompareDatasetVersionsPage({
  params,
  searchParams,
}: {
  params: Promise<{ projectId: string }>;
  searchParams: Promise<{ a?: string; b?: string; offset?: string }>;
}) {
  const { projectId } = await params;
  const query = await searchParams;
  await requireProjectPage(projectId);
  const db = getDb();
  const versions = await listDatasetVersions(db, projectId);
  const a = query.a ?? versions[1]?.id;
  const b = query.b ?? versions[0]?.id;
  const offset = Math.max(0, Math.floor(Number(query.offset ?? 0)) || 0);
  const diff = a && b ? await compareDatasetVersions(db, projectId, a, b, { offset }) : null;
  const nextOffset = diff && (diff.added.capped || diff.removed.capped || diff.changed.capped) ? offset + diff.pageSize : null;
  return (
    <>
      <PageHeader
        title={diff ? `Compare v${diff.a.version} with v${diff.b.version}` : "Compare dataset versions"}
        description="What changed from the first version to the second, pair by pair: added, removed, and changed (question, SQL, result or split)."
        actions={
          <Link href={`/projects/${projectId}/datasets`} className="text-sm text-brand-700 hover:underline">
            All versions
          </Link>
        }
      />
      <Card className="mb-6">
        <CompareForm versions={versions} a={a} b={b} />
      </Card>
      {!diff ? (
        <EmptyState title="Two versions are needed">Freeze a second version on the Datasets page, then compare the two here.</EmptyState>
      ) : (
        <div className="space-y-6">
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
            <Stat label="Added" value={diff.added.total} />
            <Stat label="Removed" value={diff.removed.total} />
            <Stat label="Changed" value={diff.changed.total} />
            <Stat label="Unchanged" value={diff.unchanged} />
          </div>
          <div className="grid gap-6 lg:grid-cols-2">
            <Card title="Pairs per split">
              <table className="w-full text-sm">
                <thead className="text-left text-xs text-slate-500">
                  <tr>
                    <th className="py-1">Split</th>
                    <th className="text-right">
                      v{diff.a.version} <Badge tone={approvalStateTone(diff.a.approvalState)}>{approvalStateLabel(diff.a.approvalState)}</Badge>
                    </th>
                    <th className="text-right">
                      v{diff.b.version} <Badge tone={approvalStateTone(diff.b.approvalState)}>{approvalStateLabel(diff.b.approvalState)}</Badge>
                    </th>
                    <th className="text-right">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {diff.splits.map((s) => (
                    <tr key={s.split} className="border-t border-slate-100">
                      <td className="py-1">{SPLIT_LABEL[s.split] ?? s.split}</td>
                      <td className="text-right tabular-nums">{s.a}</td>
                      <td className="text-right tabular-nums">{s.b}</td>
                      <td className={`text-right tabular-nums ${s.b - s.a === 0 ? "text-slate-400" : "text-slate-800"}`}>{s.b - s.a > 0 ? `+${s.b - s.a}` : s.b - s.a}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
            <Card title="Prompt">
              {diff.prompt.changed ? (
                <ul className="list-inside list-disc space-y-0.5 text-sm text-slate-700">
                  {diff.prompt.formatChanged && (
                    <li>
                      Schema format: {diff.a.promptFormat} → {diff.b.promptFormat}
                    </li>
                  )}
                  {diff.prompt.systemPromptChanged && <li>The system prompt changed</li>}
                  {diff.prompt.userTemplateChanged && <li>The user message template changed</li>}
                  {diff.prompt.itemPromptsChanged > 0 && <li>{diff.prompt.itemPromptsChanged} shared pairs get a different system prompt</li>}
                </ul>
              ) : (
                <p className="text-sm text-slate-600">The prompt is the same in both versions.</p>
              )}
            </Card>
          </div>
          <Card title="Changed pairs" description={pageNote(diff.changed)}>
            {diff.changed.items.length === 0 ? (
              <p className="text-sm text-slate-500">No pair in both versions changed.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {diff.changed.items.map((c) => (
                  <li key={c.pairId} className="py-2">
                    <div className="mb-1 flex flex-wrap gap-1">
                      {c.fields.map((f) => (
                        <Badge key={f} tone="amber">
                          {f === "sql" ? "SQL" : f}
                        </Badge>
                      ))}
                    </div>
                    <div className="grid gap-3 md:grid-cols-2">
                      {[c.before, c.after].map((side, k) => (
                        <div key={k} className={k === 0 ? "text-slate-500" : "text-slate-800"}>
                          <div className="text-xs font-medium uppercase text-slate-400">
                            {k === 0 ? `v${diff.a.version}` : `v${diff.b.version}`} · {side.split}
                          </div>
                          <div>{side.question}</div>
                          <code className="block whitespace-pre-wrap font-mono text-xs">{side.sql}</code>
                        </div>
                      ))}
                    </div>
                    {c.fields.includes("result") && <p className="mt-1 text-xs text-slate-500">The stored result differs.</p>}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <div className="grid gap-6 lg:grid-cols-2">
            <Card title="Added pairs" description={pageNote(diff.added)}>
              <PairList items={diff.added.items} emptyText={`No pair was added in v${diff.b.version}.`} />
            </Card>
            <Card title="Removed pairs" description={pageNote(diff.removed)}>
              <PairList items={diff.removed.items} emptyText={`No pair of v${diff.a.version} was left out.`} />
            </Card>
          </div>
          {(nextOffset !== null || offset > 0) && (
            <nav aria-label="Pages" className="flex gap-2">
              {offset > 0 && (
                <Link className={buttonClass("secondary")} href={`?a=${a}&b=${b}&offset=${Math.max(0, offset - diff.pageSize)}`}>
                  Previous 500
                </Link>
              )}
              {nextOffset !== null && (
                <Link className={buttonClass("secondary")} href={`?a=${a}&b=${b}&offset=${nextOffset}`}>
                  Next 500
                </Link>
              )}
            </nav>
          )}
        </div>
      )}
    </>
  );
}
