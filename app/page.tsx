import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { listProjects } from "@/lib/projects/server/service";
import { requireUser } from "@/lib/auth/server/page";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { CreateProjectForm } from "@/app/_components/create-project-form";

export const dynamic = "force-dynamic";

export default async function ProjectsPage() {
  const user = await requireUser();
  const projects = await listProjects(getDb(), user);
  return (
    <main className="mx-auto max-w-[1100px] px-4 py-8">
      <PageHeader
        title="Projects"
        description="A project holds one database schema and everything built on it: the synthetic sandbox, queries, reviewed question/SQL pairs, dataset versions and model evaluations."
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_340px]">
        <div className="space-y-3">
          {projects.length === 0 ? (
            <EmptyState title="No projects yet">Create a project on the right, then paste the DDL of your production schema. Only the schema is needed, never its rows. If you were invited to a project, open the invitation link.</EmptyState>
          ) : (
            projects.map((p) => (
              <Link key={p.id} href={`/projects/${p.id}`} className="block rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm transition hover:border-brand-500">
                <div className="flex items-center gap-2">
                  <span className="font-medium text-slate-900">{p.name}</span>
                  {p.isDemo && <Badge tone="teal">demo</Badge>}
                </div>
                {p.description && <p className="mt-0.5 line-clamp-2 text-sm text-slate-600">{p.description}</p>}
                <p className="mt-1 text-xs text-slate-500">
                  {p.pairCount} pairs · {p.datasetCount} dataset versions · {p.evalRunCount} evaluation runs
                </p>
              </Link>
            ))
          )}
        </div>
        <Card title="New project">
          <CreateProjectForm />
        </Card>
      </div>
    </main>
  );
}
