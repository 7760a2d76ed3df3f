// Every API route × every kind of caller → the expected allow/deny.
// A new route fails this test until it is added to RULES below (the reviewed rule table).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { callRoute, loadApiRoutes, type ApiRoute } from "@/test/helpers/routes";
import { buildProjectToReview, startTestWorker } from "@/test/helpers/pipeline";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { PERMISSIONS, type Permission, type Role } from "@/lib/auth/policy";
import type { RouteAccess } from "@/lib/auth/server/route";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { runScan } from "@/lib/datasets/server/scan";
import { ensureBaselineEndpoint } from "@/lib/evaluation/server/endpoints";
import { startEvalRun } from "@/lib/evaluation/server/service";
import { createApiToken, createInvitation } from "@/lib/auth/server/users";
import { createAccessToken } from "@/lib/sandbox-access/server/service";
import { createConnection } from "@/lib/providers/server/connections";

const RULES: Record<string, string> = {
  "POST /api/auth/accept-invitation": "public",
  "POST /api/auth/login": "public",
  "POST /api/auth/logout": "public",
  "POST /api/auth/setup": "public",
  "GET /api/auth/tokens": "user",
  "POST /api/auth/tokens": "user",
  "DELETE /api/auth/tokens/[tokenId]": "user",
  "GET /api/jobs/[jobId]": "job:project.view",
  "POST /api/jobs/[jobId]/cancel": "job:pairs.review",
  "GET /api/projects": "user",
  "POST /api/projects": "user",
  "GET /api/projects/[projectId]/audit": "project:audit.view",
  "GET /api/projects/[projectId]/datasets": "project:project.view",
  "POST /api/projects/[projectId]/datasets": "project:datasets.manage",
  "GET /api/projects/[projectId]/datasets/[versionId]/alignment": "project:project.view",
  "GET /api/projects/[projectId]/datasets/[versionId]/export": "project:datasets.manage",
  "GET /api/projects/[projectId]/datasets/[versionId]/export/options": "project:project.view",
  "POST /api/projects/[projectId]/datasets/[versionId]/sign-off": "project:datasets.manage",
  "GET /api/projects/[projectId]/datasets/[versionId]/findings": "project:project.view",
  "POST /api/projects/[projectId]/datasets/[versionId]/findings/scan": "project:pairs.review",
  "POST /api/projects/[projectId]/datasets/[versionId]/findings/[findingId]": "project:pairs.review",
  "GET /api/projects/[projectId]/datasets/[versionId]": "project:project.view",
  "POST /api/projects/[projectId]/datasets/[versionId]/submit": "project:pairs.review",
  "POST /api/projects/[projectId]/datasets/[versionId]/approve": "project:datasets.manage",
  "POST /api/projects/[projectId]/datasets/[versionId]/request-changes": "project:datasets.manage",
  "POST /api/projects/[projectId]/datasets/[versionId]/comment": "project:pairs.review",
  "GET /api/projects/[projectId]/datasets/[versionId]/access-tokens": "project:datasets.manage",
  "POST /api/projects/[projectId]/datasets/[versionId]/access-tokens": "project:datasets.manage",
  "DELETE /api/projects/[projectId]/datasets/[versionId]/access-tokens/[tokenId]": "project:datasets.manage",
  "GET /api/projects/[projectId]/datasets/compare": "project:project.view",
  "GET /api/projects/[projectId]/drift": "project:project.view",
  "GET /api/projects/[projectId]/endpoints": "project:project.view",
  "POST /api/projects/[projectId]/endpoints": "project:evaluations.run",
  "PATCH /api/projects/[projectId]/endpoints/[endpointId]": "project:evaluations.run",
  "DELETE /api/projects/[projectId]/endpoints/[endpointId]": "project:evaluations.run",
  "POST /api/projects/[projectId]/endpoints/[endpointId]/test": "project:evaluations.run",
  "GET /api/projects/[projectId]/connections": "project:project.view",
  "POST /api/projects/[projectId]/connections": "project:project.admin",
  "PATCH /api/projects/[projectId]/connections/[connectionId]": "project:project.admin",
  "DELETE /api/projects/[projectId]/connections/[connectionId]": "project:project.admin",
  "POST /api/projects/[projectId]/connections/[connectionId]/test": "project:finetune.launch",
  "GET /api/projects/[projectId]/finetune": "project:project.view",
  "POST /api/projects/[projectId]/finetune": "project:finetune.launch",
  "POST /api/projects/[projectId]/finetune/estimate": "project:finetune.launch",
  "GET /api/projects/[projectId]/finetune/[fineTuneJobId]": "project:project.view",
  "POST /api/projects/[projectId]/finetune/[fineTuneJobId]/cancel": "project:finetune.launch",
  "POST /api/projects/[projectId]/finetune/[fineTuneJobId]/deploy": "project:finetune.launch",
  "POST /api/projects/[projectId]/finetune/[fineTuneJobId]/refresh": "project:project.view",
  "POST /api/projects/[projectId]/finetune/[fineTuneJobId]/retry": "project:finetune.launch",
  "POST /api/projects/[projectId]/finetune/[fineTuneJobId]/undeploy": "project:finetune.launch",
  "GET /api/projects/[projectId]/evaluations": "project:project.view",
  "POST /api/projects/[projectId]/evaluations": "project:evaluations.run",
  "GET /api/projects/[projectId]/evaluations/[runId]": "project:project.view",
  "GET /api/projects/[projectId]/evaluations/[runId]/items/[itemId]": "project:project.view",
  "GET /api/projects/[projectId]/evaluations/[runId]/export": "project:project.view",
  "GET /api/projects/[projectId]/evaluations/compare": "project:project.view",
  "GET /api/projects/[projectId]/evaluations/timeline": "project:project.view",
  "GET /api/projects/[projectId]/evaluations/regression": "project:project.view",
  "POST /api/projects/[projectId]/evaluations/regression": "project:evaluations.run",
  "DELETE /api/projects/[projectId]/evaluations/regression": "project:evaluations.run",
  "POST /api/projects/[projectId]/invitations": "project:project.admin",
  "DELETE /api/projects/[projectId]/invitations/[invitationId]": "project:project.admin",
  "POST /api/projects/[projectId]/foreign-keys": "project:pipeline.build",
  "GET /api/projects/[projectId]/glossary": "project:project.view",
  "PATCH /api/projects/[projectId]/glossary": "project:pipeline.build",
  "GET /api/projects/[projectId]/members": "project:project.view",
  "PATCH /api/projects/[projectId]/members/[userId]": "project:project.admin",
  "DELETE /api/projects/[projectId]/members/[userId]": "project:project.admin",
  "GET /api/projects/[projectId]/pairs": "project:project.view",
  "GET /api/projects/[projectId]/pairs/bulk": "project:project.view",
  "POST /api/projects/[projectId]/pairs/bulk": "project:pairs.review",
  "POST /api/projects/[projectId]/pairs/bulk/undo": "project:pairs.review",
  "GET /api/projects/[projectId]/pairs/[pairId]": "project:project.view",
  "PATCH /api/projects/[projectId]/pairs/[pairId]": "project:pairs.review",
  "POST /api/projects/[projectId]/pairs/[pairId]/decision": "project:pairs.review",
  "GET /api/projects/[projectId]/pairs/[pairId]/history": "project:project.view",
  "GET /api/projects/[projectId]/pairs/[pairId]/second-review": "project:pairs.review",
  "POST /api/projects/[projectId]/pairs/[pairId]/second-review": "project:pairs.review",
  "POST /api/projects/[projectId]/pairs/assign": "project:datasets.manage",
  "POST /api/projects/[projectId]/pairs/unassign": "project:datasets.manage",
  "GET /api/projects/[projectId]/pairs/second-review": "project:pairs.review",
  "GET /api/projects/[projectId]/review/agreement": "project:project.view",
  "GET /api/projects/[projectId]/review/progress": "project:project.view",
  "POST /api/projects/[projectId]/pairs/[pairId]/comments": "project:pairs.review",
  "GET /api/projects/[projectId]/queries": "project:project.view",
  "POST /api/projects/[projectId]/queries": "project:pairs.review",
  "POST /api/projects/[projectId]/queries/import": "project:pipeline.build",
  "POST /api/projects/[projectId]/queries/llm": "project:pipeline.build",
  "POST /api/projects/[projectId]/sandbox/augment": "project:pipeline.build",
  "GET /api/projects/[projectId]/queries/[queryId]": "project:project.view",
  "POST /api/projects/[projectId]/queries/[queryId]": "project:pairs.review",
  "POST /api/projects/[projectId]/questions": "project:pairs.review",
  "POST /api/projects/[projectId]/questions/llm": "project:pairs.review",
  "POST /api/projects/[projectId]/questions/round-trip": "project:pairs.review",
  "POST /api/projects/[projectId]/sandbox": "project:pipeline.build",
  "GET /api/projects/[projectId]/sandbox/report": "project:project.view",
  "GET /api/projects/[projectId]/sandbox/rows": "project:project.view",
  "POST /api/projects/[projectId]/schema": "project:pipeline.build",
  "POST /api/projects/[projectId]/schema/commit": "project:pipeline.build",
  "POST /api/projects/[projectId]/schema/preview": "project:pipeline.build",
  "POST /api/projects/[projectId]/schema/upload": "project:pipeline.build",
  "POST /api/projects/[projectId]/sql": "project:pairs.review",
  // A remote evaluator's routes: a dataset version's sandbox token (Bearer sbx_…), never a session.
  "POST /api/sandbox-access/query": "sandbox_token",
  "POST /api/sandbox-access/mcp": "sandbox_token",
};

let routes: ApiRoute[] = [];

function describeAccess(access: RouteAccess | undefined): string {
  if (!access) return "(no access rule: build the route with publicRoute/userRoute/projectRoute/jobRoute)";
  return access.kind === "project" || access.kind === "job" ? `${access.kind}:${access.permission}` : access.kind;
}

/** "evaluator": no session, only a sandbox access token for the matrix's dataset version. */
type Caller = "anonymous" | "outsider" | Role | "studio_admin" | "evaluator";
const CALLERS: Caller[] = ["anonymous", "outsider", "viewer", "analyst", "data_lead", "admin", "studio_admin", "evaluator"];

let t: TestDb;
const cookies: Partial<Record<Caller, string>> = {};
let evaluatorToken = "";
const ids: Record<string, string> = {};

beforeAll(async () => {
  routes = await loadApiRoutes();
  t = await createTestDb();
  const projectId = await buildProjectToReview(t.db, "Matrix");
  ids.projectId = projectId;
  const people: Record<string, string> = {};
  for (const caller of ["outsider", "viewer", "analyst", "data_lead", "admin", "studio_admin", "target"] as const) {
    const user = await t.db.user.create({ data: { email: `${caller}@matrix.test`, name: caller, isAdmin: caller === "studio_admin" } });
    people[caller] = user.id;
    if (caller !== "outsider" && caller !== "studio_admin") {
      await t.db.projectMember.create({ data: { projectId, userId: user.id, role: caller === "target" ? "viewer" : caller } });
    }
    if (caller !== "target") cookies[caller] = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, user.id)).cookieValue)}`;
  }
  ids.userId = people.target;
  const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  ids.pairId = pairs[0].id;
  ids.queryId = pairs[0].queryId;
  const version = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 3 });
  ids.versionId = version.id;
  await runScan(t.db, projectId, version.id);
  ids.findingId = (await t.db.datasetFinding.findFirstOrThrow({ where: { datasetVersionId: version.id } })).id;
  const endpoint = await ensureBaselineEndpoint(t.db, projectId);
  const { run, job } = await startEvalRun(t.db, projectId, { datasetVersionId: version.id, endpointId: endpoint.id, compare: {} });
  ids.runId = run.id;
  ids.jobId = job.id;
  const worker = startTestWorker(t.db);
  await worker.drain();
  await worker.stop();
  ids.itemId = (await t.db.evalResult.findFirstOrThrow({ where: { evalRunId: run.id } })).itemId;
  ids.invitationId = (await createInvitation(t.db, projectId, { email: "new@matrix.test", role: "viewer" }, { id: people.admin, email: "", name: "", isAdmin: false })).id;
  ids.tokenId = (await createApiToken(t.db, { id: people.viewer, email: "", name: "", isAdmin: false }, "matrix", false)).id;
  evaluatorToken = (await createAccessToken(t.db, projectId, version.id, { name: "matrix" }, people.admin)).token;
  // A Fireworks connection pointing nowhere (a test answers "refused" at once) and an ended job on it.
  const connection = await createConnection(t.db, projectId, { kind: "fireworks", name: "Matrix Fireworks", apiKey: "fw-matrix-key-0", settings: { accountId: "matrix", apiBaseUrl: "http://127.0.0.1:9", inferenceBaseUrl: "http://127.0.0.1:9/inference/v1" } }, people.admin);
  ids.connectionId = connection.id;
  ids.fineTuneJobId = (
    await t.db.fineTuneJob.create({
      data: { projectId, datasetVersionId: version.id, connectionId: connection.id, name: "Matrix job", provider: "fireworks", method: "sft", baseModel: "accounts/fireworks/models/qwen3-8b", launchKey: "matrix-launch", state: "failed", error: "Failed for the matrix." },
    })
  ).id;
}, 180_000);
afterAll(async () => t?.cleanup());

function allowed(access: RouteAccess, caller: Caller): boolean {
  // A sandbox token opens its own routes and nothing else; a session never opens them.
  if (access.kind === "sandbox_token") return caller === "evaluator";
  if (caller === "anonymous" || caller === "evaluator") return access.kind === "public";
  if (access.kind === "public" || access.kind === "user") return true;
  if (caller === "studio_admin") return true;
  if (caller === "outsider") return false;
  return (PERMISSIONS[access.permission as Permission] as readonly Role[]).includes(caller);
}

async function call(route: ApiRoute, caller: Caller) {
  // An empty body: allowed writes fail validation or act harmlessly; the point is the auth decision.
  const { status, json } = await callRoute(route, { ids, cookie: cookies[caller], authorization: caller === "evaluator" ? `Bearer ${evaluatorToken}` : undefined });
  return { status, body: json };
}

const MEMBERSHIP_404 = /not a member of it/;
/** Routes on one person's object: an allowed role still gets 403 when it is not theirs (only the pair's second reviewer opens its blind view). */
const OWNER_403: Record<string, RegExp> = {
  "GET /api/projects/[projectId]/pairs/[pairId]/second-review": /not this pair's second reviewer/,
  "POST /api/projects/[projectId]/pairs/[pairId]/second-review": /not this pair's second reviewer/,
};

describe("authorization matrix", () => {
  it("has a reviewed rule for every route, and every route enforces its rule", () => {
    expect(routes.length).toBeGreaterThan(20);
    const actual = Object.fromEntries(routes.map((r) => [r.key, describeAccess(r.handler.access)]));
    expect(actual).toEqual(RULES);
  });

  it("gives every caller the expected answer on every route", async () => {
    const wrong: string[] = [];
    // Signing out ends the caller's session, so it goes last.
    const ordered = [...routes].sort((a, b) => Number(a.key.endsWith("/logout")) - Number(b.key.endsWith("/logout")));
    for (const route of ordered) {
      const access = route.handler.access!;
      for (const caller of CALLERS) {
        const { status, body } = await call(route, caller);
        const ok = allowed(access, caller);
        const message = body.error?.message ?? "";
        let expected: string;
        let pass: boolean;
        if (ok) {
          expected = "not 401/403/membership-404";
          pass = status !== 401 && (status !== 403 || (OWNER_403[route.key]?.test(message) ?? false)) && !(status === 404 && MEMBERSHIP_404.test(message)) && status < 500;
        } else if (caller === "anonymous" || caller === "evaluator" || access.kind === "sandbox_token") {
          expected = "401";
          pass = status === 401;
        } else if (caller === "outsider") {
          expected = "404 (membership)";
          pass = status === 404 && MEMBERSHIP_404.test(message);
        } else {
          expected = "403";
          pass = status === 403;
        }
        if (!pass) wrong.push(`${route.key} as ${caller}: got ${status} (${message.slice(0, 80)}), expected ${expected}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});
