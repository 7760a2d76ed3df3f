// The sign-off workflow: transitions, who may do what (enforced by the service), blocking scan
// findings, the review conversation, audit events, and concurrent decisions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion, getDatasetVersion, signOffDatasetVersion } from "@/lib/datasets/server/service";
import {
  approveDatasetVersion,
  commentOnDatasetVersion,
  listDatasetReviews,
  requestDatasetVersionChanges,
  submitDatasetVersion,
} from "@/lib/datasets/server/sign-off";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { runScan } from "@/lib/datasets/server/scan";

let t: TestDb;
let projectId: string;
const people: Record<string, string> = {};

async function freeze(seed: number) {
  return freezeDatasetVersion(t.db, projectId, { seed });
}

async function stateOf(versionId: string) {
  return (await t.db.datasetVersion.findUniqueOrThrow({ where: { id: versionId } })).approvalState;
}

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Sign-off");
  const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  for (const role of ["viewer", "analyst", "data_lead", "lead_two", "admin", "outsider", "studio_admin"]) {
    const user = await t.db.user.create({ data: { email: `${role}@signoff.test`, name: role, isAdmin: role === "studio_admin" } });
    people[role] = user.id;
    if (role !== "outsider" && role !== "studio_admin") {
      await t.db.projectMember.create({ data: { projectId, userId: user.id, role: role === "lead_two" ? "data_lead" : role } });
    }
  }
}, 60_000);
afterAll(async () => t?.cleanup());

describe("sign-off workflow", () => {
  it("goes draft → submitted → changes requested → submitted → approved, with reviews and audit events", async () => {
    const v = await freeze(1);
    expect(await stateOf(v.id)).toBe("draft");
    await expect(approveDatasetVersion(t.db, projectId, v.id, people.data_lead)).rejects.toThrow(/must be submitted for sign-off first/);

    await submitDatasetVersion(t.db, projectId, v.id, people.analyst, "Ready for a look");
    expect(await stateOf(v.id)).toBe("submitted");
    await expect(submitDatasetVersion(t.db, projectId, v.id, people.analyst)).rejects.toThrow(/already submitted/);

    await expect(requestDatasetVersionChanges(t.db, projectId, v.id, people.data_lead, "  ")).rejects.toThrow(ValidationError);
    await requestDatasetVersionChanges(t.db, projectId, v.id, people.data_lead, "Too few window queries");
    expect(await stateOf(v.id)).toBe("changes_requested");

    await commentOnDatasetVersion(t.db, projectId, v.id, people.analyst, "Added a note on the window queries");
    await submitDatasetVersion(t.db, projectId, v.id, people.analyst);
    await approveDatasetVersion(t.db, projectId, v.id, people.data_lead, "Looks good");
    const row = await t.db.datasetVersion.findUniqueOrThrow({ where: { id: v.id } });
    expect(row).toMatchObject({ approvalState: "signed_off", approvedById: people.data_lead, submittedById: people.analyst });
    await expect(submitDatasetVersion(t.db, projectId, v.id, people.analyst)).rejects.toThrow(/approved and cannot be submitted again/);
    await expect(approveDatasetVersion(t.db, projectId, v.id, people.data_lead)).rejects.toThrow(/already approved/);

    const reviews = await listDatasetReviews(t.db, v.id);
    expect(reviews.map((r) => [r.action, r.userName, r.comment])).toEqual([
      ["submit", "analyst", "Ready for a look"],
      ["request_changes", "data_lead", "Too few window queries"],
      ["comment", "analyst", "Added a note on the window queries"],
      ["submit", "analyst", ""],
      ["approve", "data_lead", "Looks good"],
    ]);
    const audit = await t.db.auditEvent.findMany({ where: { entityId: v.id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["dataset.freeze", "dataset.scan", "dataset.submit", "dataset.request_changes", "dataset.comment", "dataset.submit", "dataset.sign_off"]);
    const detail = await getDatasetVersion(t.db, projectId, v.id);
    expect(detail.reviews).toHaveLength(5);
    expect(detail.approvedBy).toBe("data_lead");
  });

  it("lets an analyst submit but never approve or request changes, whatever calls the service", async () => {
    const v = await freeze(2);
    await expect(submitDatasetVersion(t.db, projectId, v.id, people.viewer)).rejects.toThrow(ForbiddenError);
    await expect(commentOnDatasetVersion(t.db, projectId, v.id, people.viewer, "hello")).rejects.toThrow(ForbiddenError);
    await submitDatasetVersion(t.db, projectId, v.id, people.analyst);
    await expect(approveDatasetVersion(t.db, projectId, v.id, people.analyst)).rejects.toThrow(/Your role \(Analyst\) cannot approve dataset versions/);
    await expect(requestDatasetVersionChanges(t.db, projectId, v.id, people.analyst, "no")).rejects.toThrow(ForbiddenError);
    await expect(signOffDatasetVersion(t.db, projectId, v.id, people.analyst)).rejects.toThrow(ForbiddenError);
    await expect(approveDatasetVersion(t.db, projectId, v.id, people.outsider)).rejects.toThrow(NotFoundError);
    expect(await stateOf(v.id)).toBe("submitted");
    // A studio admin who is not a member may approve.
    await approveDatasetVersion(t.db, projectId, v.id, people.studio_admin);
    expect(await stateOf(v.id)).toBe("signed_off");
  });

  it("lets a data lead sign off in one step, recorded as a submit and a self-approval", async () => {
    const v = await freeze(3);
    await signOffDatasetVersion(t.db, projectId, v.id, people.data_lead);
    expect(await stateOf(v.id)).toBe("signed_off");
    expect((await listDatasetReviews(t.db, v.id)).map((r) => r.action)).toEqual(["submit", "approve"]);
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { entityId: v.id, action: "dataset.sign_off" } });
    expect(audit.summary).toMatch(/self-approved/);
    await expect(signOffDatasetVersion(t.db, projectId, v.id, people.data_lead)).rejects.toThrow(ConflictError);
  });

  it("refuses submit and approve while a blocking finding is open, naming the count", async () => {
    const v = await freeze(4);
    const finding = await t.db.datasetFinding.create({ data: { datasetVersionId: v.id, kind: "pii_email", severity: "blocking", message: "An e-mail address in a question" } });
    await t.db.datasetFinding.create({ data: { datasetVersionId: v.id, kind: "duplicate_near", severity: "warning", message: "Near duplicate" } });
    await expect(submitDatasetVersion(t.db, projectId, v.id, people.analyst)).rejects.toThrow(/has 1 open blocking scan finding\. Resolve it/);
    await expect(signOffDatasetVersion(t.db, projectId, v.id, people.data_lead)).rejects.toThrow(/1 open blocking scan finding/);
    await t.db.datasetFinding.update({ where: { id: finding.id }, data: { status: "waived", reason: "Synthetic address" } });
    await submitDatasetVersion(t.db, projectId, v.id, people.analyst);
    // A finding raised after submission still stops the approval.
    await t.db.datasetFinding.create({ data: { datasetVersionId: v.id, kind: "reserved_string", severity: "blocking", message: "Bot:" } });
    await t.db.datasetFinding.create({ data: { datasetVersionId: v.id, kind: "pii_phone", severity: "blocking", message: "Phone" } });
    await expect(approveDatasetVersion(t.db, projectId, v.id, people.data_lead)).rejects.toThrow(/has 2 open blocking scan findings\. Resolve them/);
    expect((await getDatasetVersion(t.db, projectId, v.id)).openBlockingFindings).toBe(2);
    // Requesting changes stays possible: it is how a lead says "fix the findings".
    await requestDatasetVersionChanges(t.db, projectId, v.id, people.data_lead, "Resolve the two findings");
    expect(await stateOf(v.id)).toBe("changes_requested");
  });

  it("refuses to submit a version whose scan never finished, until it is scanned", async () => {
    const v = await freeze(4);
    await t.db.datasetVersion.update({ where: { id: v.id }, data: { scan: "{}" } });
    await expect(submitDatasetVersion(t.db, projectId, v.id, people.analyst)).rejects.toThrow(/has not been scanned yet\. Press "Scan again"/);
    await runScan(t.db, projectId, v.id);
    await submitDatasetVersion(t.db, projectId, v.id, people.analyst);
    expect((await t.db.datasetVersion.findUniqueOrThrow({ where: { id: v.id } })).approvalState).toBe("submitted");
  });

  it("lets one of a concurrent approve and request-changes win; the other gets a conflict", async () => {
    for (let round = 0; round < 3; round++) {
      const v = await freeze(10 + round);
      await submitDatasetVersion(t.db, projectId, v.id, people.analyst);
      const outcomes = await Promise.allSettled([
        approveDatasetVersion(t.db, projectId, v.id, people.data_lead),
        requestDatasetVersionChanges(t.db, projectId, v.id, people.lead_two, "Not yet"),
      ]);
      const won = outcomes.filter((o) => o.status === "fulfilled");
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0].reason).toBeInstanceOf(ConflictError);
      const state = await stateOf(v.id);
      expect(state).toBe(outcomes[0].status === "fulfilled" ? "signed_off" : "changes_requested");
      const decisions = (await listDatasetReviews(t.db, v.id)).filter((r) => r.action !== "submit");
      expect(decisions).toHaveLength(1);
    }
  });

  it("treats a version of another project as missing", async () => {
    const v = await freeze(20);
    await expect(submitDatasetVersion(t.db, "other-project", v.id, null)).rejects.toThrow(NotFoundError);
  });
});
