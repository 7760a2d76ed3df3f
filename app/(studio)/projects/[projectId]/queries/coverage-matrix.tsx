import Link from "next/link";
import { JobButton } from "@/components/jobs/job-runner";
import type { QueryCoverage } from "@/lib/queries/server/service";
import type { JobView } from "@/lib/jobs/types";
import { SHAPE_FAMILIES, SHAPE_FAMILY_NAMES, type QueryShape } from "@/lib/queries/shapes";

/** Shape × table counts; an empty row is a gap the user can fill with one click. */
export function CoverageMatrix({
  projectId,
  coverage,
  canGenerate,
  activeJob,
  unsupported,
}: {
  projectId: string;
  coverage: QueryCoverage;
  canGenerate: boolean;
  activeJob: JobView | null;
  /** Shapes the schema cannot have (the last full generation built none). */
  unsupported: string[];
}) {
  const byShape = new Map(coverage.shapes.map((s) => [s.shape, s]));
  const max = Math.max(1, ...coverage.shapes.flatMap((s) => Object.values(s.byTable)));
  const impossible = new Set(unsupported);
  const missing = coverage.shapes.filter((s) => s.total === 0 && s.shape in SHAPE_FAMILIES && !impossible.has(s.shape)).map((s) => s.shape);
  const notApplicable = coverage.shapes.filter((s) => s.total === 0 && impossible.has(s.shape)).length;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="text-slate-700">
          {coverage.shapes.filter((s) => s.total > 0).length} of {Object.keys(SHAPE_FAMILIES).length} shapes have queries
          {missing.length > 0 && <span className="text-amber-800"> · {missing.length} missing</span>}
          {notApplicable > 0 && <span className="text-slate-500"> · {notApplicable} not possible on this schema (e.g. date shapes need a date column)</span>}
        </span>
        {canGenerate && missing.length > 0 && (
          <JobButton endpoint={`/api/projects/${projectId}/queries`} body={{ shapes: missing, max: missing.length * 8 }} label="Fill the gaps" variant="secondary" activeJob={activeJob} />
        )}
      </div>
      <div className="overflow-x-auto">
        <table className="w-full border-separate border-spacing-0 text-xs" aria-label="Coverage by shape and table">
          <thead>
            <tr className="text-left text-slate-500">
              <th className="sticky left-0 bg-white py-1 pr-3 font-medium">Shape</th>
              {coverage.tables.map((t) => (
                <th key={t} className="px-1 py-1 text-center font-mono font-normal">
                  {t}
                </th>
              ))}
              <th className="px-2 text-right font-medium">All</th>
              <th className="px-2 text-right font-medium">Empty</th>
            </tr>
          </thead>
          <tbody>
            {SHAPE_FAMILY_NAMES.map((family) => {
              const shapes = (Object.keys(SHAPE_FAMILIES) as QueryShape[]).filter((s) => SHAPE_FAMILIES[s].family === family);
              return shapes.map((shape, i) => {
                const row = byShape.get(shape) ?? { shape, total: 0, empty: 0, byTable: {} };
                return (
                  <tr key={shape} className={i === 0 ? "border-t border-slate-200" : ""} data-testid="coverage-row" data-shape={shape} data-total={row.total}>
                    <td className="sticky left-0 bg-white py-0.5 pr-3" title={SHAPE_FAMILIES[shape].description}>
                      {i === 0 && <span className="mr-1 text-[10px] uppercase tracking-wide text-slate-400">{family}</span>}
                      <Link
                        href={`/projects/${projectId}/queries?shape=${shape}`}
                        className={row.total > 0 ? "text-slate-800 hover:underline" : impossible.has(shape) ? "text-slate-400" : "text-amber-800"}
                      >
                        {SHAPE_FAMILIES[shape].label}
                      </Link>
                      {row.total === 0 && impossible.has(shape) && <span className="ml-1 text-[10px] text-slate-400">n/a</span>}
                    </td>
                    {coverage.tables.map((t) => {
                      const n = row.byTable[t] ?? 0;
                      return (
                        <td key={t} className="px-1 py-0.5 text-center tabular-nums">
                          <span
                            className="inline-block min-w-7 rounded px-1"
                            style={{ background: n ? `rgba(13, 148, 136, ${0.12 + 0.6 * (n / max)})` : "transparent", color: n / max > 0.6 ? "white" : undefined }}
                          >
                            {n || "·"}
                          </span>
                        </td>
                      );
                    })}
                    <td className="px-2 text-right font-medium tabular-nums">{row.total}</td>
                    <td className={`px-2 text-right tabular-nums ${row.empty > 0 ? "text-amber-800" : "text-slate-400"}`}>{row.empty}</td>
                  </tr>
                );
              });
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
