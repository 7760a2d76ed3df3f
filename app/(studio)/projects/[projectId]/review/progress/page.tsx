import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { requireProjectPage } from "@/lib/auth/server/page";
import { getAgreement, getReviewProgress } from "@/lib/review/server/progress";
import { percentOf } from "@/lib/review/progress";
import { REJECT_REASON_LABELS } from "@/lib/review/flags";
import { ROLE_LABELS, isRole, roleAllows } from "@/lib/auth/policy";
import { Card, EmptyState, PageHeader, Stat } from "@/components/ui/card";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { MeasureSqlAgreement } from "./measure-sql-agreement";

export const dynamic = "force-dynamic";
export const metadata = { title: "Review progress" };

const number = (n: number) => n.toLocaleString("en-US");

function rate(value: number | null): string {
  return value === null ? "–" : value >= 10 ? value.toFixed(0) : value.toFixed(1);
}

function duration(hours: number | null): string {
  if (hours === null) return "–";
  if (hours === 0) return "done";
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} days`;
}

function activeTime(minutes: number): string {
  return minutes < 60 ? `${Math.round(minutes)} min` : `${(minutes / 60).toFixed(1)} h`;
}

function when(iso: string | null, now: Date): string {
  if (!iso) return "never";
  const minutes = (now.getTime() - new Date(iso).getTime()) / 60_000;
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${Math.round(minutes)} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return iso.slice(0, 10);
}

const KAPPA_TONE: Record<string, BadgeTone> = { poor: "red", slight: "red", fair: "amber", moderate: "amber", substantial: "green", "almost perfect": "green", undefined: "gray" };

function reason(code: string | null): string {
  if (!code) return "no reason given";
  return (REJECT_REASON_LABELS as Record<string, string>)[code] ?? code;
}

/** Approved, rejected and pending as one stacked bar. */
function StateBar({ approved, rejected, pending, label }: { approved: number; rejected: number; pending: number; label: string }) {
  const total = approved + rejected + pending;
  return (
    <div role="img" aria-label={label} className="flex h-3 w-full overflow-hidden rounded-full bg-slate-200">
      <div className="h-full bg-emerald-500" style={{ width: `${percentOf(approved, total)}%` }} />
      <div className="h-full bg-rose-500" style={{ width: `${percentOf(rejected, total)}%` }} />
      <div className="h-full bg-amber-300" style={{ width: `${percentOf(pending, total)}%` }} />
    </div>
  );
}

/** A reviewer's decisions, approved and rejected, scaled to the busiest reviewer. */
function InlineBar({ approved, rejected, max }: { approved: number; rejected: number; max: number }) {
  return (
    <div aria-hidden className="flex h-1.5 w-24 overflow-hidden rounded-full bg-slate-100">
      <div className="h-full bg-emerald-500" style={{ width: `${percentOf(approved, max)}%` }} />
      <div className="h-full bg-rose-500" style={{ width: `${percentOf(rejected, max)}%` }} />
    </div>
  );
}

export default async function ReviewProgressPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { role, isStudioAdmin } = await requireProjectPage(projectId, "project.view");
  const db = getDb();
  const [progress, agreement] = await Promise.all([getReviewProgress(db, projectId), getAgreement(db, projectId)]);
  const now = new Date(progress.generatedAt);
  const p = progress.project;
  const canMeasure = roleAllows(role, "pairs.review", isStudioAdmin);
  const maxDecisions = Math.max(1, ...progress.reviewers.map((r) => r.decisions));
  const active = progress.reviewers.filter((r) => r.decisions + r.edits + r.assigned + r.secondReviewsDone + r.secondReviewsOwed > 0);
  const idle = progress.reviewers.length - active.length;

  return (
    <>
      <PageHeader
        title="Review progress"
        description="How far the review has come, each reviewer's pace, and how far first and second reviewers agree. Rates count single decisions per hour of active time: gaps between a reviewer's actions count up to 10 minutes each, so breaks do not lower them, and bulk decisions, which take no reviewing time, are left out."
        actions={
          <Link href={`/projects/${projectId}/review`} className="text-sm font-medium text-brand-700 hover:underline">
            Back to the review
          </Link>
        }
      />
      {p.pairs === 0 ? (
        <EmptyState title="No pairs to review yet">Generate queries and write questions on the Queries page; progress shows here once the pairs exist.</EmptyState>
      ) : (
        <div className="space-y-6">
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <Stat label="Reviewed" value={`${percentOf(p.reviewed, p.pairs).toFixed(0)}%`} hint={`${number(p.reviewed)} of ${number(p.pairs)} pairs`} />
            <Stat label="Remaining" value={number(p.remaining)} hint={`${number(p.assigned)} pairs assigned to someone`} />
            <Stat label="Pace" value={p.ratePerHour === null ? "–" : `${rate(p.ratePerHour)}/h`} hint={`${number(p.decisionsLastHour)} decisions in the last hour, ${number(p.decisionsLast24h)} in 24 h`} />
            <Stat label="Time left" value={duration(p.hoursLeft)} hint={p.ratePerHour === null ? "No pace yet: it shows after 5 minutes of reviewing" : `at this pace, over ${activeTime(p.activeMinutes)} active so far`} />
          </div>

          <Card title="Pairs by state">
            <StateBar approved={p.approved} rejected={p.rejected} pending={p.pending} label={`${p.approved} approved, ${p.rejected} rejected, ${p.pending} pending`} />
            <div className="mt-2 flex flex-wrap gap-4 text-xs text-slate-600">
              <span className="flex items-center gap-1.5">
                <span aria-hidden className="h-2 w-2 rounded-full bg-emerald-500" /> {number(p.approved)} approved
              </span>
              <span className="flex items-center gap-1.5">
                <span aria-hidden className="h-2 w-2 rounded-full bg-rose-500" /> {number(p.rejected)} rejected
              </span>
              <span className="flex items-center gap-1.5">
                <span aria-hidden className="h-2 w-2 rounded-full bg-amber-300" /> {number(p.pending)} pending
              </span>
            </div>
          </Card>

          <Card title="Reviewers" description={idle > 0 ? `${idle} member${idle === 1 ? "" : "s"} who may review ha${idle === 1 ? "s" : "ve"} no review work yet and ${idle === 1 ? "is" : "are"} listed last.` : undefined}>
            {progress.reviewers.length === 0 ? (
              <p className="text-sm text-slate-600">Nobody in this project can review yet. Invite analysts or data leads on the Members page.</p>
            ) : (
              <div className="overflow-x-auto">
                <table className="w-full text-sm" aria-label="Progress per reviewer">
                  <thead>
                    <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
                      <th className="py-1 pr-3 font-medium">Reviewer</th>
                      <th className="py-1 pr-3 text-right font-medium">Reviewed</th>
                      <th className="py-1 pr-3 font-medium" />
                      <th className="py-1 pr-3 text-right font-medium">Approved</th>
                      <th className="py-1 pr-3 text-right font-medium">Rejected</th>
                      <th className="py-1 pr-3 text-right font-medium">Edits</th>
                      <th className="py-1 pr-3 text-right font-medium">Remaining assigned</th>
                      <th className="py-1 pr-3 text-right font-medium">Second reviews</th>
                      <th className="py-1 pr-3 text-right font-medium">Rate/hour</th>
                      <th className="py-1 font-medium">Last active</th>
                    </tr>
                  </thead>
                  <tbody>
                    {progress.reviewers.map((r) => (
                      <tr key={r.userId} className="border-t border-slate-100" data-testid="reviewer-progress">
                        <td className="py-1.5 pr-3">
                          <span className="font-medium text-slate-900">{r.name}</span>{" "}
                          <span className="text-xs text-slate-500">{r.role && isRole(r.role) ? ROLE_LABELS[r.role] : r.role ?? "former member"}</span>
                        </td>
                        <td className="py-1.5 pr-3 text-right tabular-nums">
                          {number(r.decisions)}
                          {r.bulkDecisions > 0 && <span className="block text-xs text-slate-500">{number(r.bulkDecisions)} in bulk</span>}
                        </td>
                        <td className="py-1.5 pr-3">
                          <InlineBar approved={r.approved} rejected={r.rejected} max={maxDecisions} />
                        </td>
                        <td className="py-1.5 pr-3 text-right tabular-nums text-emerald-700">{number(r.approved)}</td>
                        <td className="py-1.5 pr-3 text-right tabular-nums text-rose-700">{number(r.rejected)}</td>
                        <td className="py-1.5 pr-3 text-right tabular-nums">{number(r.edits)}</td>
                        <td className="py-1.5 pr-3 text-right tabular-nums">
                          {number(r.remaining)}
                          {r.assigned > 0 && <span className="block text-xs text-slate-500">of {number(r.assigned)}</span>}
                        </td>
                        <td className="py-1.5 pr-3 text-right tabular-nums">
                          {number(r.secondReviewsDone)}
                          {r.secondReviewsOwed > 0 && <span className="block text-xs text-amber-700">{number(r.secondReviewsOwed)} to do</span>}
                        </td>
                        <td className="py-1.5 pr-3 text-right tabular-nums">{rate(r.ratePerHour)}</td>
                        <td className="py-1.5 text-slate-600">{when(r.lastActiveAt, now)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>

          <Card
            title="Agreement between first and second reviewers"
            description="Kappa corrects the share of equal approve/reject decisions for the agreement chance alone would give: 1 is perfect, 0 is chance."
          >
            {agreement.pairs.length === 0 ? (
              <p className="text-sm text-slate-600">
                {agreement.secondReviews === 0
                  ? "No blind second review yet. Assign pairs with a blind second review from the Review page; agreement shows here once second reviewers have submitted and the first reviewers have decided."
                  : `${number(agreement.secondReviews)} second review${agreement.secondReviews === 1 ? "" : "s"} submitted, none on a pair the first review has decided yet. Agreement shows once the first reviewers approve or reject those pairs.`}
              </p>
            ) : (
              <div className="space-y-4">
                <div className="overflow-x-auto">
                  <table className="w-full text-sm" aria-label="Agreement per reviewer pair">
                    <thead>
                      <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
                        <th className="py-1 pr-3 font-medium">First reviewer</th>
                        <th className="py-1 pr-3 font-medium">Second reviewer</th>
                        <th className="py-1 pr-3 text-right font-medium">Pairs</th>
                        <th className="py-1 pr-3 text-right font-medium">Kappa</th>
                        <th className="py-1 pr-3 text-right font-medium">Same decision</th>
                        <th className="py-1 font-medium">Disagreements</th>
                      </tr>
                    </thead>
                    <tbody>
                      {agreement.pairs.map((a) => (
                        <tr key={`${a.first.id}-${a.second.id}`} className="border-t border-slate-100 align-top">
                          <td className="py-1.5 pr-3 text-slate-900">{a.first.name}</td>
                          <td className="py-1.5 pr-3 text-slate-900">{a.second.name}</td>
                          <td className="py-1.5 pr-3 text-right tabular-nums">{number(a.n)}</td>
                          <td className="py-1.5 pr-3 text-right tabular-nums">
                            {a.kappa === null ? "–" : a.kappa.toFixed(2)}{" "}
                            <Badge tone={KAPPA_TONE[a.reading]} title={a.kappa === null ? "Both gave every pair the same decision: kappa is undefined." : undefined}>
                              {a.reading}
                            </Badge>
                          </td>
                          <td className="py-1.5 pr-3 text-right tabular-nums">{(a.observed * 100).toFixed(0)}%</td>
                          <td className="py-1.5 text-xs">
                            {a.disagreementCount === 0 ? (
                              <span className="text-slate-500">none</span>
                            ) : (
                              <details>
                                <summary className="cursor-pointer text-slate-700">{number(a.disagreementCount)}</summary>
                                <ul className="mt-1 space-y-0.5">
                                  {a.disagreements.map((d) => (
                                    <li key={d.pairId}>
                                      <Link href={`/projects/${projectId}/review?pair=${encodeURIComponent(d.pairId)}`} className="font-mono text-brand-700 hover:underline">
                                        {d.pairId.slice(-8)}
                                      </Link>{" "}
                                      <span className="text-slate-600">
                                        {d.first} / {d.second}: {reason(d.second === "reject" ? d.secondReason : d.firstReason)}
                                      </span>
                                    </li>
                                  ))}
                                  {a.disagreementCount > a.disagreements.length && <li className="text-slate-500">and {number(a.disagreementCount - a.disagreements.length)} more</li>}
                                </ul>
                              </details>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                {agreement.awaitingFirstDecision > 0 && (
                  <p className="text-xs text-slate-500">
                    {number(agreement.awaitingFirstDecision)} second review{agreement.awaitingFirstDecision === 1 ? " is" : "s are"} on pairs the first review has not decided yet, and not counted.
                  </p>
                )}
                {canMeasure ? <MeasureSqlAgreement projectId={projectId} /> : <p className="text-xs text-slate-500">An analyst, a data lead or an admin can measure SQL agreement: it runs SQL on the sandbox.</p>}
              </div>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
