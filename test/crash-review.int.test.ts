import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, usingPostgres, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { waitFor } from "@/test/helpers/processes";
import { childEnv, killHard, spawnReviewServer, stopChild, type ReviewServer } from "@/test/helpers/crash";

let t: TestDb;
let projectId: string;
beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Crash review");
}, 60_000);
afterAll(async () => t?.cleanup());

const REQUESTS = 300;
const CONCURRENCY = 20;
const PAIRS = 40;
/** The server is killed once this many decisions have been answered with 200. */
const KILL_AFTER = 120;

type Decision = { pairId: string; action: "approve" | "reject"; revision: number };

async function decide(server: ReviewServer, body: Decision): Promise<{ status: number; json: { revision?: number; reviewState?: string; error?: { message: string } } }> {
  const res = await fetch(`${server.url}/decide`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as { revision?: number; reviewState?: string } };
}

describe("killing the server during review saves", () => {
  it("loses no acknowledged decision and leaves no pair half-written", async () => {
    const pairs = await t.db.pair.findMany({ where: { projectId, query: { result: { not: null } } }, orderBy: { createdAt: "asc" }, take: PAIRS });
    expect(pairs.length).toBe(PAIRS);

    // What the client knows about each pair: the revision it last saw, and its state.
    const known = new Map(pairs.map((p) => [p.id, { revision: p.revision, state: p.reviewState, busy: false, uncertain: false }]));
    const acknowledged: (Decision & { after: string })[] = [];
    const refused: { status: number; message?: string }[] = [];
    let sent = 0;
    let cursor = 0;
    let killed = false;

    let server: ReviewServer | null = await spawnReviewServer(childEnv(t));
    try {
      const current = server;
      /** The next pair with no request in flight, round robin. */
      const nextFree = (): string | null => {
        for (let k = 0; k < pairs.length; k++) {
          const id = pairs[(cursor + k) % pairs.length].id;
          const p = known.get(id)!;
          if (!p.busy && !p.uncertain) {
            cursor = (cursor + k + 1) % pairs.length;
            return id;
          }
        }
        return null;
      };
      const lane = async () => {
        while (sent < REQUESTS) {
          const pairId = nextFree();
          if (!pairId) return;
          const p = known.get(pairId)!;
          const body: Decision = { pairId, action: p.state === "approved" ? "reject" : "approve", revision: p.revision };
          sent++;
          p.busy = true;
          try {
            const { status, json } = await decide(current, body);
            if (status === 200) {
              p.revision = json.revision!;
              p.state = json.reviewState!;
              acknowledged.push({ ...body, revision: json.revision!, after: json.reviewState! });
            } else {
              refused.push({ status, message: json.error?.message });
            }
          } catch {
            // No answer: the server died with this request in flight; it may or may not be saved.
            p.uncertain = true;
            return;
          } finally {
            p.busy = false;
          }
        }
      };
      const killer = (async () => {
        await waitFor("enough decisions acknowledged", async () => acknowledged.length >= KILL_AFTER || sent >= REQUESTS, 30_000, 5);
        killed = acknowledged.length < REQUESTS;
        await killHard(current.child);
      })();
      await Promise.all([...Array.from({ length: CONCURRENCY }, lane), killer]);
      server = null;
    } finally {
      await stopChild(server?.child);
    }

    // The kill really happened mid-way, with requests in flight, and nothing was refused before it.
    expect(killed).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acknowledged.length).toBeLessThan(REQUESTS);
    expect([...known.values()].filter((p) => p.uncertain).length).toBeGreaterThan(0);
    expect(refused).toEqual([]);

    // Every pair's history is whole: one event per revision step, consecutive, each starting from
    // the state the previous one left, the last one matching the pair.
    const all = await t.db.pair.findMany({ where: { projectId }, include: { events: { orderBy: { revision: "asc" } } } });
    for (const pair of all) {
      expect(pair.events.length).toBe(pair.revision - 1);
      expect(pair.events.map((e) => e.revision)).toEqual(Array.from({ length: pair.revision - 1 }, (_, i) => i + 2));
      let state = "pending";
      for (const e of pair.events) {
        expect((JSON.parse(e.before) as { reviewState: string }).reviewState).toBe(state);
        state = (JSON.parse(e.after) as { reviewState: string }).reviewState;
      }
      expect(pair.reviewState).toBe(state);
      const k = known.get(pair.id);
      if (k) {
        // At most the one unanswered request of this pair may have been saved as well.
        expect(pair.revision === k.revision || (k.uncertain && pair.revision === k.revision + 1)).toBe(true);
      } else {
        expect(pair.revision).toBe(1);
      }
    }

    // Every acknowledged decision is there, with the revision and state it answered.
    const events = new Map(all.flatMap((p) => p.events.map((e) => [`${p.id}@${e.revision}`, e] as const)));
    for (const a of acknowledged) {
      const e = events.get(`${a.pairId}@${a.revision}`);
      expect(e, `decision ${a.action} of ${a.pairId} at revision ${a.revision}`).toBeDefined();
      expect(e!.action).toBe(a.action);
      expect((JSON.parse(e!.after) as { reviewState: string }).reviewState).toBe(a.after);
    }

    if (!usingPostgres()) {
      const check = await t.db.$queryRawUnsafe<{ integrity_check: string }[]>("PRAGMA integrity_check");
      expect(check.map((r) => r.integrity_check)).toEqual(["ok"]);
    }

    // After a restart, decisions work again, and a stale revision is still refused.
    server = await spawnReviewServer(childEnv(t));
    try {
      const pair = await t.db.pair.findUniqueOrThrow({ where: { id: pairs[0].id } });
      const action = pair.reviewState === "approved" ? "reject" : "approve";
      const ok = await decide(server, { pairId: pair.id, action, revision: pair.revision });
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({ revision: pair.revision + 1, reviewState: action === "approve" ? "approved" : "rejected" });
      const stale = await decide(server, { pairId: pair.id, action, revision: pair.revision });
      expect(stale.status).toBe(409);
      const saved = await t.db.pair.findUniqueOrThrow({ where: { id: pair.id } });
      expect(saved.revision).toBe(pair.revision + 1);
      expect(await t.db.reviewEvent.count({ where: { pairId: pair.id } })).toBe(pair.revision);
    } finally {
      await stopChild(server.child);
    }
  }, 60_000);
});
