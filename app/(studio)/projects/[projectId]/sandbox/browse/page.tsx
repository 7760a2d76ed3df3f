import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { getProject } from "@/lib/projects/server/service";
import { requireProjectPage } from "@/lib/auth/server/page";
import { listBrowsableTables } from "@/lib/sandbox/server/browse";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button";
import { TableBrowser } from "./table-browser";

export const dynamic = "force-dynamic";
export const metadata = { title: "Browse sandbox tables" };

export default async function SandboxBrowsePage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<{ table?: string | string[] }> }) {
  const { projectId } = await params;
  await requireProjectPage(projectId);
  const db = getDb();
  const project = await getProject(db, projectId);
  const tables = await listBrowsableTables(db, projectId, project.activeSandboxId);
  const requested = (await searchParams).table;
  const initialTable = typeof requested === "string" && tables?.some((t) => t.name === requested) ? requested : (tables?.[0]?.name ?? "");
  return (
    <>
      <PageHeader
        title="Browse tables"
        description="Every row of the active sandbox, a page at a time. Click a column header to sort; the filter matches any column, ignoring case."
        actions={
          <Link href={`/projects/${projectId}/sandbox`} className={buttonClass("secondary")}>
            Back to sandbox
          </Link>
        }
      />
      {!tables || tables.length === 0 ? (
        <EmptyState title="No sandbox yet">Generate a sandbox on the Sandbox page, then browse its tables here.</EmptyState>
      ) : (
        <TableBrowser projectId={projectId} tables={tables} initialTable={initialTable} />
      )}
    </>
  );
}
