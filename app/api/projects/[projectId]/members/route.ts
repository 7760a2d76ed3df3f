// GET /api/projects/:projectId/members — members and open invitations
import { projectRoute } from "@/lib/auth/server/route";
import { listMembers } from "@/lib/auth/server/users";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => listMembers(db, params.projectId));
