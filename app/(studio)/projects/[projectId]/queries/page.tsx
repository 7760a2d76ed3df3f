import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { getProject } from "@/lib/projects/server/service";
import { getUnsupportedShapes, listQueries, listQueriesInput, queryCoverage } from "@/lib/queries/server/service";
import { QUERY_SHAPES, SHAPE_FAMILIES, type QueryShape } from "@/lib/queries/shapes";
import { buttonClass, inputClass } from "@/components/ui/button";
import { CoverageMatrix } from "./coverage-matrix";
import { ImportLog } from "./import-log";
import { LlmGenerateForm } from "./llm-generate-form";
import { QuestionsForm } from "./questions-form";
import { listEndpoints } from "@/lib/evaluation/server/endpoints";
import { findActiveJob } from "@/lib/jobs/server/queue";
import { requireProjectPage } from "@/lib/auth/server/page";
import { roleAllows } from "@/lib/auth/policy";
import { Card, EmptyState, PageHeader, Stat } from "@/components/ui/card";
import { Badge, ComplexityBadge } from "@/components/ui/badge";
import { JobButton } from "@/components/jobs/job-runner";

export const dynamic = "force-dynamic";
export const metadata = { title: "Queries" };

const LEVELS = ["simple", "moderate", "complex", "highly_complex"] as const;

const PAGE = 100;
const LINT_CODES = [
  "empty_result", "ties_at_limit", "order_by_missing_tiebreak", "unordered_limit", "limit_without_order", "question_implies_order",
  "nulls_order_unspecified", "nondeterministic_function", "single_null", "huge_result", "float_result", "select_star", "schema_drift",
];

export default async function QueriesPage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { projectId } = await params;
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = listQueriesInput.safeParse({ ...raw, take: PAGE });
  const filter = parsed.success ? parsed.data : listQueriesInput.parse({ take: PAGE });
  const filtered = ["shape", "complexity", "status", "origin", "flag", "q"].some((k) => raw[k]);
  const access = await requireProjectPage(projectId, "pairs.review");
  const allowed = access.allowed;
  const canImport = roleAllows(access.role, "pipeline.build", access.isStudioAdmin);
  const db = getDb();
  const [project, data, queriesJob, questionsJob, pairCount, coverage] = await Promise.all([
    getProject(db, projectId),
    listQueries(db, projectId, filter),
    findActiveJob(db, `queries:${projectId}`),
    findActiveJob(db, `questions:${projectId}`),
    db.pair.count({ where: { projectId } }),
    queryCoverage(db, projectId, QUERY_SHAPES),
  ]);
  const [sandboxJob, unsupported, endpoints] = await Promise.all([
    findActiveJob(db, `sandbox:${projectId}`),
    getUnsupportedShapes(db, projectId),
    allowed ? listEndpoints(db, projectId) : Promise.resolve([]),
  ]);
  const missingShapes = coverage.shapes.filter((s) => s.total === 0 && s.shape in SHAPE_FAMILIES && !unsupported.includes(s.shape)).map((s) => s.shape);
  const pageLink = (skip: number) => {
    const q = new URLSearchParams({ ...(raw as Record<string, string>), skip: String(skip) });
    return `/projects/${projectId}/queries?${q.toString()}`;
  };
  const executed = coverage.shapes.reduce((a, s) => a + s.total, 0) - (await db.query.count({ where: { projectId, result: null } }));
  const failed = await db.query.count({ where: { projectId, executionError: { not: null } } });
  const empty = coverage.shapes.reduce((a, s) => a + s.empty, 0);
  const maxLevel = Math.max(1, ...LEVELS.map((l) => data.byComplexity[l] ?? 0));
  return (
    <>
      <PageHeader
        title="Queries"
        description="SQL over your schema across every query shape and complexity level, generated or imported from your logs, each linted and executed on the sandbox for its ground-truth result. Then a question is written for each."
        actions={
          allowed && <div className="flex items-start gap-3">
            <JobButton
              endpoint={`/api/projects/${projectId}/queries`}
              body={{}}
              label="Generate queries"
              activeJob={queriesJob}
              disabled={!project.activeSandboxId}
              disabledReason="Generate a sandbox first."
            />
          </div>
        }
      />
      {data.total === 0 ? (
        <div className="space-y-6">
          <EmptyState title="No queries yet">{project.activeSandboxId ? "Press Generate queries: template SQL for every shape is written and executed on the sandbox. Or import the queries your team already runs." : "Generate a sandbox first; queries are executed on it for their ground truth."}</EmptyState>
          {canImport && project.activeSandboxId && (
            <Card title="Import">
              <ImportLog projectId={projectId} />
            </Card>
          )}
        </div>
      ) : (
        <div className="space-y-6">
          <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
            <Stat label="Queries" value={data.total} />
            <Stat label="Executed" value={executed} />
            <Stat label="Failed" value={failed} />
            <Stat
              label="Empty results"
              value={empty}
              hint={
                <span className="space-y-1">
                  <span className="block">{data.total ? `${((empty / data.total) * 100).toFixed(1)}% (aim ≤ 10%)` : ""}</span>
                  {canImport && empty > 0 && (
                    <JobButton endpoint={`/api/projects/${projectId}/sandbox/augment`} body={{}} label="Add rows for them" variant="secondary" activeJob={sandboxJob} />
                  )}
                </span>
              }
            />
            <Stat label="Pairs" value={pairCount} hint="questions written" />
          </div>
          <div className="grid gap-6 lg:grid-cols-2">
            <Card title="By complexity">
              <ul className="space-y-1.5">
                {LEVELS.map((l) => (
                  <li key={l} className="grid grid-cols-[8rem_1fr_3rem] items-center gap-3 text-sm">
                    <ComplexityBadge complexity={l} />
                    <span className="h-3 rounded bg-brand-500/80" style={{ width: `${Math.max(1, ((data.byComplexity[l] ?? 0) / maxLevel) * 100)}%` }} />
                    <span className="text-right tabular-nums">{data.byComplexity[l] ?? 0}</span>
                  </li>
                ))}
              </ul>
            </Card>
            {canImport ? (
              <Card title="Import" description="Bring the queries your team already runs: each is checked against the schema and executed for its ground truth.">
                <ImportLog projectId={projectId} />
              </Card>
            ) : (
              <Card title="Origins">
                <p className="text-sm text-slate-600">Generated from templates, imported from logs, or fixed in review.</p>
              </Card>
            )}
          </div>
          <Card title="Coverage" description="Queries per shape and table. Hover a shape for its definition; click it to list its queries.">
            <CoverageMatrix projectId={projectId} coverage={coverage} canGenerate={allowed} activeJob={queriesJob} unsupported={unsupported} />
          </Card>
          {allowed && (
            <Card title="Questions" description="Write the questions of the pairs: from templates in the styles you pick, or by a model of the project, checked by a round trip.">
              <QuestionsForm
                projectId={projectId}
                endpoints={endpoints.filter((e) => e.kind === "openai_compatible").map((e) => ({ id: e.id, name: e.name, model: e.model }))}
                executed={executed}
                activeJob={questionsJob}
              />
            </Card>
          )}
          {canImport && (
            <Card title="Queries written by a model" description="Optional: a model writes queries of the shapes you pick, with their questions; each is checked against the schema, executed and linted before it is kept.">
              <LlmGenerateForm
                projectId={projectId}
                endpoints={endpoints.filter((e) => e.kind === "openai_compatible").map((e) => ({ id: e.id, name: e.name, model: e.model }))}
                shapes={(Object.keys(SHAPE_FAMILIES) as QueryShape[]).filter((s) => !unsupported.includes(s)).map((s) => ({ id: s, label: SHAPE_FAMILIES[s].label, family: SHAPE_FAMILIES[s].family }))}
                missing={missingShapes}
                activeJob={queriesJob}
              />
            </Card>
          )}
          <Card
            title={filtered ? `${data.matching.toLocaleString("en-US")} matching queries` : "All queries"}
            actions={
              filtered ? (
                <Link href={`/projects/${projectId}/queries`} className="text-sm text-brand-700 hover:underline">
                  Clear filters
                </Link>
              ) : undefined
            }
          >
            <form className="mb-3 grid grid-cols-2 gap-2 md:grid-cols-7" method="get" role="search" aria-label="Filter queries">
              <select name="shape" aria-label="Shape" defaultValue={raw.shape ?? ""} className={inputClass}>
                <option value="">Any shape</option>
                {(Object.keys(SHAPE_FAMILIES) as QueryShape[]).map((s) => (
                  <option key={s} value={s}>
                    {SHAPE_FAMILIES[s].label}
                  </option>
                ))}
              </select>
              <select name="complexity" aria-label="Complexity" defaultValue={raw.complexity ?? ""} className={inputClass}>
                <option value="">Any complexity</option>
                {LEVELS.map((l) => (
                  <option key={l} value={l}>
                    {l.replace("_", " ")}
                  </option>
                ))}
              </select>
              <select name="status" aria-label="Result" defaultValue={raw.status ?? ""} className={inputClass}>
                <option value="">Any result</option>
                <option value="ok">Executed</option>
                <option value="empty">Empty</option>
                <option value="error">Failed</option>
                <option value="flagged">Any flag</option>
              </select>
              <select name="flag" aria-label="Lint flag" defaultValue={raw.flag ?? ""} className={inputClass}>
                <option value="">Any flag</option>
                {LINT_CODES.map((c) => (
                  <option key={c} value={c}>
                    {c.replaceAll("_", " ")}
                  </option>
                ))}
              </select>
              <select name="origin" aria-label="Origin" defaultValue={raw.origin ?? ""} className={inputClass}>
                <option value="">Any origin</option>
                <option value="template">Generated</option>
                <option value="imported">Imported</option>
                <option value="review">Edited in review</option>
                <option value="llm">Written by a model</option>
                <option value="fix">Fixed</option>
              </select>
              <input name="q" aria-label="SQL contains" placeholder="SQL contains…" defaultValue={raw.q ?? ""} className={inputClass} />
              <button type="submit" className={buttonClass("secondary")}>
                Filter
              </button>
            </form>
            <div className="overflow-x-auto">
              <table className="w-full text-sm">
                <thead className="text-left text-xs text-slate-500">
                  <tr>
                    <th className="py-1 pr-3">SQL</th>
                    <th className="pr-3">Shape</th>
                    <th className="pr-3">Complexity</th>
                    <th className="pr-3 text-right">Rows</th>
                    <th>Checks</th>
                  </tr>
                </thead>
                <tbody>
                  {data.queries.map((q) => (
                    <tr key={q.id} className="border-t border-slate-100 align-top" data-testid="query-row">
                      <td className="max-w-[40rem] py-1.5 pr-3">
                        <Link href={`/projects/${projectId}/queries/${q.id}`} className="block rounded hover:bg-slate-50">
                          <code className="block whitespace-pre-wrap break-words font-mono text-xs text-slate-800">{q.sql}</code>
                        </Link>
                      </td>
                      <td className="pr-3 text-xs text-slate-600" title={SHAPE_FAMILIES[q.shape as QueryShape]?.description}>
                        {SHAPE_FAMILIES[q.shape as QueryShape]?.label ?? q.shape}
                        {q.origin !== "template" && <span className="ml-1 text-slate-400">· {q.origin}</span>}
                      </td>
                      <td className="pr-3">
                        <ComplexityBadge complexity={q.complexity} />
                      </td>
                      <td className="pr-3 text-right tabular-nums">{q.rowCount ?? "–"}</td>
                      <td className="space-y-0.5">
                        {q.executionError && (
                          <Badge tone="red" title={q.executionError}>
                            error
                          </Badge>
                        )}
                        {q.lintFlags.map((f) => (
                          <Badge key={f.code} tone="amber" title={f.message}>
                            {f.code.replaceAll("_", " ")}
                          </Badge>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {data.queries.length === 0 && <p className="py-4 text-center text-sm text-slate-500">No query matches these filters.</p>}
            <div className="mt-3 flex items-center justify-between text-sm text-slate-600">
              <span>
                {data.matching === 0 ? 0 : filter.skip + 1}–{filter.skip + data.queries.length} of {data.matching.toLocaleString("en-US")}
              </span>
              <span className="flex gap-2">
                {filter.skip > 0 && (
                  <Link className={buttonClass("secondary")} href={pageLink(Math.max(0, filter.skip - PAGE))}>
                    Previous
                  </Link>
                )}
                {filter.skip + data.queries.length < data.matching && (
                  <Link className={buttonClass("secondary")} href={pageLink(filter.skip + PAGE)}>
                    Next
                  </Link>
                )}
              </span>
            </div>
          </Card>
        </div>
      )}
    </>
  );
}
