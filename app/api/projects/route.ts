// GET /api/projects — list projects · POST /api/projects — create a project
import { getDb } from "@/lib/db/server/client";
import { parseJson, route } from "@/lib/http";
import { createProjectInput } from "@/lib/projects/schemas";
import { createProject, listProjects } from "@/lib/projects/server/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(async () => ({ projects: await listProjects(getDb()) }));

export const POST = route(async (req) => {
  const project = await createProject(getDb(), await parseJson(req, createProjectInput));
  return Response.json({ project: { id: project.id, name: project.name } }, { status: 201 });
});
