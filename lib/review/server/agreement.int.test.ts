import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";
import { NotFoundError } from "@/lib/errors";
import { agreementByReviewerPair, type ReviewerDecision } from "@/lib/review/agreement";
import { executionAgreement, sqlAgreementRate, type SqlAgreementItem } from "@/lib/review/server/agreement";
import { generateSandboxFile } from "@/lib/sandbox/server/generate";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { closeAllSandboxReaders, executeReadOnly } from "@/lib/sql/server/safe-exec";

const dir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-agreement-"));
const sandbox = path.join(dir, "openflights.duckdb");

beforeAll(async () => {
  const { model } = await parseDuckdbDdl(OPENFLIGHTS_DDL);
  await generateSandboxFile(model, {
    targetPath: sandbox,
    seed: 7,
    rowsPerTable: { countries: 20, airlines: 60, airports: 120, planes: 10, routes: 400 },
  });
});

afterAll(async () => {
  await closeAllSandboxReaders();
  rmSync(dir, { recursive: true, force: true });
});

// Reviewer A's SQL and reviewer B's rewrite of it. Items 0-5 are equivalent rewrites, 6-8 return
// different results, 9 does not run.
const ITEMS: SqlAgreementItem[] = [
  // 0: aliases on table and columns
  {
    sqlA: "SELECT name, country FROM airlines WHERE active = 'Y'",
    sqlB: "SELECT a.name AS airline_name, a.country AS based_in FROM airlines AS a WHERE a.active = 'Y'",
  },
  // 1: columns in the other order
  {
    sqlA: "SELECT country, count(*) AS n FROM airports GROUP BY country",
    sqlB: "SELECT count(*) AS airports, country FROM airports GROUP BY country",
  },
  // 2: JOIN vs IN subquery
  {
    sqlA: "SELECT DISTINCT al.airline_id, al.name FROM airlines al JOIN routes r ON r.airline_id = al.airline_id",
    sqlB: "SELECT airline_id, name FROM airlines WHERE airline_id IN (SELECT airline_id FROM routes)",
  },
  // 3: HAVING vs a CTE filtered outside
  {
    sqlA: "SELECT source_airport_id, count(*) FROM routes GROUP BY source_airport_id HAVING count(*) > 2",
    sqlB: "WITH c AS (SELECT source_airport_id AS src, count(*) AS n FROM routes GROUP BY 1) SELECT src, n FROM c WHERE n > 2",
  },
  // 4: ordered top-k, compared in order
  {
    sqlA: "SELECT airport_id, name FROM airports ORDER BY airport_id LIMIT 5",
    sqlB: "SELECT p.airport_id, p.name FROM airports p WHERE p.airport_id IN (SELECT airport_id FROM airports ORDER BY airport_id LIMIT 5) ORDER BY p.airport_id ASC",
    orderMatters: true,
  },
  // 5: WHERE vs FILTER
  {
    sqlA: "SELECT count(*) AS direct FROM routes WHERE stops = 0",
    sqlB: "SELECT count(*) FILTER (WHERE stops = 0) FROM routes",
  },
  // 6: the opposite filter
  {
    sqlA: "SELECT name FROM airlines WHERE active = 'Y'",
    sqlB: "SELECT name FROM airlines WHERE active = 'N'",
  },
  // 7: counts something else
  {
    sqlA: "SELECT count(*) FROM routes",
    sqlB: "SELECT count(DISTINCT source_airport_id) FROM routes",
  },
  // 8: same rows, reversed order, where order matters
  {
    sqlA: "SELECT airport_id FROM airports ORDER BY airport_id LIMIT 5",
    sqlB: "SELECT airport_id FROM (SELECT airport_id FROM airports ORDER BY airport_id LIMIT 5) ORDER BY airport_id DESC",
    orderMatters: true,
  },
  // 9: a misspelled column
  {
    sqlA: "SELECT name FROM planes",
    sqlB: "SELECT nme FROM planes",
  },
];

describe("executionAgreement", () => {
  it("runs every reference query to a non-empty result, so agreement is not the trivial empty-vs-empty", async () => {
    for (const { sqlA } of ITEMS) {
      const result = await executeReadOnly(sandbox, sqlA);
      expect(result.rowCount, sqlA).toBeGreaterThan(0);
    }
  });

  it("agrees on different SQL texts that return the same result", async () => {
    const join = await executionAgreement(sandbox, ITEMS[2].sqlA, ITEMS[2].sqlB);
    expect(join).toEqual({ agree: true, reason: "results match" });
    const reordered = await executionAgreement(sandbox, ITEMS[1].sqlA, ITEMS[1].sqlB);
    expect(reordered).toEqual({ agree: true, reason: "results match (columns in a different order)" });
  });

  it("disagrees when one query fails, keeping the error", async () => {
    const outcome = await executionAgreement(sandbox, "SELECT name FROM planes", "SELECT nme FROM planes");
    expect(outcome.agree).toBe(false);
    expect(outcome.reason).toMatch(/^SQL B failed: Binder Error: .*nme/);
    expect(outcome.errorA).toBeUndefined();
    expect(outcome.errorB).toMatch(/nme/);
    const refused = await executionAgreement(sandbox, "DELETE FROM planes", "SELECT name FROM planes");
    expect(refused.agree).toBe(false);
    expect(refused.reason).toMatch(/^SQL A failed: Only a single read-only query/);
  });

  it("disagrees on a result cut at the row cap, saying it was too large to compare", async () => {
    const big = "SELECT r.route_id, a.airport_id FROM routes r CROSS JOIN airports a";
    const outcome = await executionAgreement(sandbox, big, big);
    expect(outcome).toEqual({
      agree: false,
      reason: "SQL A and SQL B returned more than 5,000 rows: the result was too large to compare",
    });
  });

  it("compares rows in order only when asked", async () => {
    const { sqlA, sqlB } = ITEMS[8];
    expect((await executionAgreement(sandbox, sqlA, sqlB)).agree).toBe(true);
    expect(await executionAgreement(sandbox, sqlA, sqlB, { orderMatters: true })).toEqual({
      agree: false,
      reason: "rows are in a different order",
    });
  });

  it("throws when the sandbox file is missing instead of calling it a disagreement", async () => {
    await expect(executionAgreement(path.join(dir, "missing.duckdb"), "SELECT 1", "SELECT 1")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("sqlAgreementRate", () => {
  it("counts 6 of 10 rewrites as agreeing and explains the 4 disagreements", async () => {
    const result = await sqlAgreementRate(sandbox, ITEMS);
    expect(result.agree).toBe(6);
    expect(result.total).toBe(10);
    expect(result.rate).toBe(0.6);
    expect(result.disagreements.map((d) => d.index)).toEqual([6, 7, 8, 9]);
    const [opposite, count, order, error] = result.disagreements.map((d) => d.reason);
    expect(opposite).toMatch(/^\d+ rows missing, \d+ extra rows \(e\.g\. column 1: ".+" vs ".+"\)$/);
    expect(count).toMatch(/^1 row missing, 1 extra row \(e\.g\. column 1: 400 vs \d+\)$/);
    expect(order).toBe("rows are in a different order");
    expect(error).toMatch(/^SQL B failed: Binder Error: .*nme/);
  });

  it("has no rate without items", async () => {
    expect(await sqlAgreementRate(sandbox, [])).toEqual({ agree: 0, total: 0, rate: null, disagreements: [] });
  });
});

describe("kappa over constructed decisions", () => {
  it("gives 8/23 when bob approves exactly the items whose SQL agreed and alice differs on three", async () => {
    const { disagreements } = await sqlAgreementRate(sandbox, ITEMS);
    const disagreed = new Set(disagreements.map((d) => d.index));
    const aliceApproves = new Set([0, 1, 2, 3, 4, 6, 7]);
    const decisions: ReviewerDecision[] = [
      // alice's first look at item 0 was a reject, replaced by a later approve
      { itemId: "0", reviewer: "alice", decision: "reject" },
      ...ITEMS.map((_, i): ReviewerDecision => ({ itemId: String(i), reviewer: "alice", decision: aliceApproves.has(i) ? "approve" : "reject" })),
      ...ITEMS.map((_, i): ReviewerDecision => ({ itemId: String(i), reviewer: "bob", decision: disagreed.has(i) ? "reject" : "approve" })),
    ];
    // Both approve 0-4 (5), alice only 6-7 (2), bob only 5 (1), both reject 8-9 (2):
    // observed 7/10; alice approves .7, bob .6; expected .7·.6 + .3·.4 = .54; κ = .16/.46 = 8/23.
    const [pair] = agreementByReviewerPair(decisions);
    expect(pair.a).toBe("alice");
    expect(pair.b).toBe("bob");
    expect(pair.n).toBe(10);
    expect(pair.observed).toBe(0.7);
    expect(pair.kappa).toBeCloseTo(8 / 23, 12);
  });
});
