// GET /api/projects — the projects you are a member of · POST /api/projects — create one (you become its admin)
import { userRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { createProjectInput } from "@/lib/projects/schemas";
import { createProject, listProjects } from "@/lib/projects/server/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = userRoute(async ({ db, user }) => ({ projects: await listProjects(db, user) }));

export const POST = userRoute(async ({ req, db, user }) => {
  const project = await createProject(db, await parseJson(req, createProjectInput), user.id);
  return Response.json({ project: { id: project.id, name: project.name } }, { status: 201 });
});
