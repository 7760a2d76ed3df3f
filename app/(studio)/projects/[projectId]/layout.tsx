import type { ReactNode } from "react";
import { notFound } from "next/navigation";
import { NotFoundError } from "@/lib/errors";
import { getDb } from "@/lib/db/server/client";
import { getProjectOverview } from "@/lib/projects/server/service";
import { requireProjectPage } from "@/lib/auth/server/page";
import { permissionsOf, ROLE_LABELS } from "@/lib/auth/policy";
import { StageNav } from "./_components/stage-nav";

export const dynamic = "force-dynamic";

export default async function ProjectLayout({ children, params }: { children: ReactNode; params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const access = await requireProjectPage(projectId);
  const overview = await getProjectOverview(getDb(), projectId).catch((error) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  return (
    <div className="mx-auto flex max-w-[1400px] gap-6 px-4 py-6">
      <aside className="w-56 shrink-0">
        <div className="mb-3 truncate px-2 text-sm font-semibold text-slate-900" title={overview.project.name}>
          {overview.project.name}
        </div>
        <StageNav projectId={projectId} stages={overview.stages} permissions={permissionsOf(access.role, access.isStudioAdmin)} />
        <p className="mt-4 px-2 text-xs text-slate-500">You are {access.role ? `a project ${ROLE_LABELS[access.role].toLowerCase()}` : "a studio admin"}.</p>
      </aside>
      <main className="min-w-0 flex-1">{children}</main>
    </div>
  );
}
