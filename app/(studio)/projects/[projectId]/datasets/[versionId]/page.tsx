import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { getDatasetVersion } from "@/lib/datasets/server/service";
import { approvalStateLabel, approvalStateTone } from "@/lib/datasets/approval";
import { PROMPT_FORMAT_LABELS, type PromptFormat } from "@/lib/datasets/prompt";
import type { SplitReport, SplitReportRow } from "@/lib/datasets/report";
import type { SplitName } from "@/lib/datasets/split";
import { roleAllows } from "@/lib/auth/policy";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, PageHeader, Stat } from "@/components/ui/card";
import { Badge, ComplexityBadge } from "@/components/ui/badge";
import { SignOffPanel } from "./sign-off-panel";
import { FindingsPanel } from "./findings-panel";
import { ExportsPanel } from "./exports-panel";
import { AlignmentPanel } from "./alignment-panel";
import { AccessPanel } from "./access-panel";

export const dynamic = "force-dynamic";
export const metadata = { title: "Dataset version" };

const SPLIT_LABEL: Record<SplitName, string> = { train: "Train", validation: "Validation", test: "Test", heldout: "Held out" };
const SPLIT_BAR: Record<SplitName, string> = { train: "bg-brand-500/80", validation: "bg-sky-500/80", test: "bg-amber-500/80", heldout: "bg-violet-500/80" };
const SPLIT_TONE: Record<string, "teal" | "blue" | "amber" | "gray"> = { train: "teal", validation: "blue", test: "amber", heldout: "gray" };

function ReportTable({ title, rows, report, label, limit = 12 }: { title: string; rows: SplitReportRow[]; report: SplitReport; label: (key: string) => React.ReactNode; limit?: number }) {
  const shown = rows.slice(0, limit);
  const max = Math.max(1, ...shown.flatMap((r) => report.splits.map((s) => r.counts[s])));
  return (
    <div>
      <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h3>
      <table className="w-full text-sm">
        <thead className="text-left text-xs text-slate-500">
          <tr>
            <th className="py-1 pr-2 font-medium">{title.replace(/^By /, "")}</th>
            {report.splits.map((s) => (
              <th key={s} className="font-medium">
                {SPLIT_LABEL[s]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={row.key} className="border-t border-slate-100">
              <td className="py-1 pr-2">{label(row.key)}</td>
              {report.splits.map((s) => (
                <td key={s} className="w-1/5">
                  <div className="flex items-center gap-1.5">
                    <span className={`h-2 rounded ${SPLIT_BAR[s]}`} style={{ width: `${Math.max(row.counts[s] ? 4 : 0, (row.counts[s] / max) * 60)}%` }} aria-hidden />
                    <span className="tabular-nums text-slate-700">{row.counts[s]}</span>
                  </div>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > limit && <p className="mt-1 text-xs text-slate-500">and {rows.length - limit} more</p>}
    </div>
  );
}

export default async function DatasetVersionPage({ params }: { params: Promise<{ projectId: string; versionId: string }> }) {
  const { projectId, versionId } = await params;
  const access = await requireProjectPage(projectId);
  const canManage = roleAllows(access.role, "datasets.manage", access.isStudioAdmin);
  const canReview = roleAllows(access.role, "pairs.review", access.isStudioAdmin);
  const v = await getDatasetVersion(getDb(), projectId, versionId);
  const approved = v.approvalState === "signed_off";
  const { report } = v;
  const format = (v.promptFormat in PROMPT_FORMAT_LABELS ? v.promptFormat : "full") as PromptFormat;
  const shares = [`${Math.round(v.testFraction * 100)}% test`, ...(v.validationFraction > 0 ? [`${Math.round(v.validationFraction * 100)}% validation`] : [])].join(", ");
  return (
    <>
      <PageHeader
        title={`v${v.version} · ${v.name}`}
        description={
          <>
            Frozen {v.createdAt.slice(0, 16).replace("T", " ")}
            {v.createdBy ? ` by ${v.createdBy}` : ""} · split seed {v.seed} · {shares} · {PROMPT_FORMAT_LABELS[format].toLowerCase()}
            {v.variantCount > 0 ? ` · ${v.variantCount} test-suite variant${v.variantCount === 1 ? "" : "s"}` : ""}
            {approved && v.approvedAt ? ` · approved ${v.approvedAt.slice(0, 16).replace("T", " ")}${v.approvedBy ? ` by ${v.approvedBy}` : ""}` : ""}
            {v.description ? <span className="mt-1 block text-slate-700">{v.description}</span> : null}
          </>
        }
        actions={
          <>
            <Link href={`/projects/${projectId}/datasets`} className="text-sm text-brand-700 hover:underline">
              All versions
            </Link>
            <Badge tone={approvalStateTone(v.approvalState)}>{approvalStateLabel(v.approvalState)}</Badge>
          </>
        }
      />
      <div className="space-y-6">
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-5">
          <Stat label="Pairs" value={v.itemCount} />
          <Stat label="Train" value={v.trainCount} hint={`${report.templates.train} templates`} />
          <Stat label="Validation" value={v.validationCount} hint={v.validationCount ? `${report.templates.validation} templates` : "none"} />
          <Stat label="Test" value={v.testCount} hint={`${report.templates.test} templates`} />
          <Stat label="Held out" value={v.heldOutCount} hint={v.heldOutCount ? `${report.templates.heldout} templates, from imported logs` : "none"} />
        </div>

        <Card title="Sign-off" description="An analyst submits the version; a data lead approves it or requests changes. Only an approved version can be exported or trained on." className="scroll-mt-4">
          <div id="sign-off">
            <SignOffPanel
              projectId={projectId}
              versionId={versionId}
              version={v.version}
              state={v.approvalState}
              reviews={v.reviews}
              openBlocking={v.openBlockingFindings}
              canSubmit={canReview}
              canApprove={canManage}
            />
          </div>
        </Card>

        <Card
          title="Split report"
          description={
            report.sharedTemplates === 0
              ? "No query template appears in two splits."
              : `${report.sharedTemplates} template${report.sharedTemplates === 1 ? " appears" : "s appear"} in more than one split.`
          }
        >
          <div className="grid gap-6 lg:grid-cols-3">
            <ReportTable title="By complexity" rows={report.byComplexity} report={report} label={(k) => <ComplexityBadge complexity={k} />} />
            <ReportTable title="By shape" rows={report.byShape} report={report} label={(k) => <span className="text-slate-700">{k.replace(/_/g, " ")}</span>} />
            <ReportTable title="By table" rows={report.byTable} report={report} label={(k) => <code className="font-mono text-xs text-slate-700">{k}</code>} />
          </div>
        </Card>

        <Card title="Prompt" description="Travels with the version: every export and every evaluation sends exactly these messages.">
          <div className="space-y-3">
            <p className="text-sm text-slate-700">
              Schema format: <span className="font-medium">{PROMPT_FORMAT_LABELS[format]}</span>
            </p>
            {format === "relevant" ? (
              <>
                <p className="text-sm text-slate-600">Each pair has its own system prompt with only the tables its SQL needs. The first pair&apos;s messages:</p>
                {v.examplePrompt && (
                  <>
                    <pre className="max-h-64 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-3 font-mono text-xs text-slate-700">{v.examplePrompt.system}</pre>
                    <pre className="whitespace-pre-wrap rounded bg-slate-50 p-3 font-mono text-xs text-slate-700">{v.examplePrompt.user}</pre>
                  </>
                )}
              </>
            ) : (
              <pre className="max-h-64 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-3 font-mono text-xs text-slate-700">{v.systemPrompt}</pre>
            )}
            <div className="text-sm text-slate-700">
              User message:{" "}
              {v.userTemplate ? <code className="whitespace-pre-wrap rounded bg-slate-50 px-1.5 py-0.5 font-mono text-xs">{v.userTemplate}</code> : <span className="text-slate-500">the question alone</span>}
            </div>
          </div>
        </Card>

        <section id="scans" className="scroll-mt-4">
          <Card title="Scans" description="PII, sensitive columns, reserved strings, duplicates, weak labels and size limits, found when the version was frozen. Blocking findings must be redacted, excluded or waived with a reason before sign-off.">
            <FindingsPanel projectId={projectId} versionId={versionId} canResolve={canReview} locked={approved || v.approvalState === "submitted"} />
          </Card>
        </section>

        <section id="exports" className="scroll-mt-4">
          <ExportsPanel projectId={projectId} versionId={versionId} approved={approved} canExport={canManage} />
        </section>

        {canManage && (
          <section id="evaluator-access" className="scroll-mt-4">
            <AccessPanel projectId={projectId} versionId={versionId} version={v.version} hasSandbox={!!v.sandboxId} />
          </section>
        )}

        <section id="alignment" className="scroll-mt-4">
          <AlignmentPanel projectId={projectId} versionId={versionId} />
        </section>

        <Card title="Pairs" description={v.itemCount > v.items.length ? `The first ${v.items.length} of ${v.itemCount}.` : undefined}>
          <table className="w-full text-sm">
            <tbody>
              {v.items.map((i) => (
                <tr key={i.id} className="border-t border-slate-100 align-top">
                  <td className="py-1.5 pr-2">
                    <Badge tone={SPLIT_TONE[i.split] ?? "gray"}>{i.split}</Badge>
                  </td>
                  <td className="pr-3">
                    <div className={i.excluded ? "text-slate-400 line-through" : "text-slate-800"}>{i.question}</div>
                    <code className="mt-0.5 block whitespace-pre-wrap font-mono text-xs text-slate-500">{i.sql}</code>
                  </td>
                  <td>
                    <ComplexityBadge complexity={i.complexity} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      </div>
    </>
  );
}
