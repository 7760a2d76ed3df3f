import { cn } from "@/components/ui/cn";

function renderCell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A query result as a compact table; NULLs are shown as such, long text is clipped. */
export function ResultTable({ columns, rows, maxRows = 50, caption, className }: { columns: string[]; rows: unknown[][]; maxRows?: number; caption?: string; className?: string }) {
  const shown = rows.slice(0, maxRows);
  return (
    <div className={cn("overflow-auto rounded-md border border-slate-200", className)}>
      <table className="min-w-full text-xs">
        {caption && <caption className="px-2 py-1 text-left text-slate-500">{caption}</caption>}
        <thead className="sticky top-0 bg-slate-50">
          <tr>
            {columns.map((c, i) => (
              <th key={i} className="whitespace-nowrap border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="font-mono">
          {shown.map((row, r) => (
            <tr key={r} className="odd:bg-white even:bg-slate-50/60">
              {row.map((v, i) => (
                <td key={i} className={cn("max-w-[18rem] truncate whitespace-nowrap px-2 py-0.5", v === null && "italic text-slate-400")} title={renderCell(v)}>
                  {renderCell(v)}
                </td>
              ))}
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={Math.max(1, columns.length)} className="px-2 py-2 text-center text-slate-500">
                No rows
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {rows.length > maxRows && <div className="border-t border-slate-200 bg-slate-50 px-2 py-1 text-xs text-slate-500">Showing {maxRows} of {rows.length.toLocaleString("en-US")} rows</div>}
    </div>
  );
}
