import { getDb } from "@/lib/db/server/client";
import { getDatasetVersion } from "@/lib/datasets/server/service";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, PageHeader, Stat } from "@/components/ui/card";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { SignOffButton } from "./sign-off-button";

export const dynamic = "force-dynamic";
export const metadata = { title: "Dataset version" };

const LEVELS = ["simple", "moderate", "complex", "highly_complex"];

export default async function DatasetVersionPage({ params }: { params: Promise<{ projectId: string; versionId: string }> }) {
  const { projectId, versionId } = await params;
  const { allowed } = await requireProjectPage(projectId, "datasets.manage");
  const v = await getDatasetVersion(getDb(), projectId, versionId);
  const signed = v.approvalState === "signed_off";
  const count = (split: string, level: string) => v.bySplitComplexity.find((g) => g.split === split && g.complexity === level)?.count ?? 0;
  const maxCell = Math.max(1, ...v.bySplitComplexity.map((g) => g.count));
  const exportUrl = (format: string) => `/api/projects/${projectId}/datasets/${versionId}/export?format=${format}`;
  return (
    <>
      <PageHeader
        title={`v${v.version} · ${v.name}`}
        description={`Frozen ${v.createdAt.slice(0, 16).replace("T", " ")} · split seed ${v.seed} · ${Math.round(v.testFraction * 100)}% held out for testing`}
        actions={<Badge tone={stateTone(v.approvalState)}>{v.approvalState.replace("_", " ")}</Badge>}
      />
      <div className="space-y-6">
        <div className="grid grid-cols-3 gap-3">
          <Stat label="Pairs" value={v.itemCount} />
          <Stat label="Train" value={v.trainCount} />
          <Stat label="Test" value={v.testCount} />
        </div>
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Sign-off and export" description={signed ? `Signed off ${v.approvedAt?.slice(0, 16).replace("T", " ")}` : "A data lead signs off a version before it can be exported or trained on."}>
            {!allowed ? (
              <p className="text-sm text-slate-600">Only a data lead or an admin can sign off and export versions.</p>
            ) : !signed ? (
              <SignOffButton projectId={projectId} versionId={versionId} />
            ) : (
              <div className="flex flex-wrap gap-2">
                <a className={buttonClass("primary")} href={exportUrl("fireworks_rft")} download>
                  Download Fireworks RFT (JSONL)
                </a>
                <a className={buttonClass("secondary")} href={exportUrl("fireworks_sft")} download>
                  Fireworks SFT (JSONL)
                </a>
              </div>
            )}
            {v.exports.length > 0 && (
              <ul className="mt-3 space-y-0.5 text-xs text-slate-600">
                {v.exports.map((e) => (
                  <li key={e.id}>
                    {e.createdAt.slice(0, 19).replace("T", " ")} · {e.format} · {e.lineCount} lines · sha256 {e.sha256.slice(0, 12)}…
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Split by complexity">
            <table className="w-full text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr>
                  <th className="py-1">Complexity</th>
                  <th>Train</th>
                  <th>Test</th>
                </tr>
              </thead>
              <tbody>
                {LEVELS.map((l) => (
                  <tr key={l} className="border-t border-slate-100">
                    <td className="py-1">
                      <ComplexityBadge complexity={l} />
                    </td>
                    {["train", "test"].map((s) => (
                      <td key={s} className="w-2/5">
                        <div className="flex items-center gap-2">
                          <span className={s === "train" ? "h-2.5 rounded bg-brand-500/80" : "h-2.5 rounded bg-amber-500/80"} style={{ width: `${(count(s, l) / maxCell) * 70}%` }} />
                          <span className="tabular-nums text-slate-700">{count(s, l)}</span>
                        </div>
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </div>
        <Card title="System prompt" description="Travels with the version: used in every export and evaluation.">
          <pre className="max-h-64 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-3 font-mono text-xs text-slate-700">{v.systemPrompt}</pre>
        </Card>
        <Card title="Pairs">
          <table className="w-full text-sm">
            <tbody>
              {v.items.map((i) => (
                <tr key={i.id} className="border-t border-slate-100 align-top">
                  <td className="py-1.5 pr-2">
                    <Badge tone={i.split === "test" ? "amber" : "teal"}>{i.split}</Badge>
                  </td>
                  <td className="pr-3">
                    <div className="text-slate-800">{i.question}</div>
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
