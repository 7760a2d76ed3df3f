import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { createProject } from "@/lib/projects/server/service";
import { createOpenAiEndpoint } from "@/lib/evaluation/server/endpoints";
import { openSecret, sealSecret } from "@/lib/secrets/server/crypto";
import { rotateSecrets } from "@/lib/secrets/server/rotate";

const OLD = "old-key-0123456789abcdef0123456789abcdef";
const NEW = "new-key-fedcba9876543210fedcba9876543210";
let t: TestDb;
const saved = { key: process.env.SANDPIPER_SECRET_KEY, previous: process.env.SANDPIPER_SECRET_KEY_PREVIOUS };

beforeAll(async () => {
  t = await createTestDb();
});
afterEach(() => {
  process.env.SANDPIPER_SECRET_KEY = saved.key;
  if (saved.previous === undefined) delete process.env.SANDPIPER_SECRET_KEY_PREVIOUS;
  else process.env.SANDPIPER_SECRET_KEY_PREVIOUS = saved.previous;
});
afterAll(async () => t?.cleanup());

describe("secrets at rest", () => {
  it("seals with AES-GCM: no plaintext in the stored value, and tampering is detected", () => {
    process.env.SANDPIPER_SECRET_KEY = OLD;
    const sealed = sealSecret("sk-live-abcdefghijklmnop");
    expect(sealed.cipher).not.toContain("abcdefghijklmnop");
    expect(openSecret(sealed.cipher)).toBe("sk-live-abcdefghijklmnop");
    const parts = sealed.cipher.split(".");
    parts[4] = parts[4].slice(0, -2) + (parts[4].endsWith("A") ? "BB" : "AA");
    expect(() => openSecret(parts.join("."))).toThrow(/altered|key is wrong/);
  });

  it("rotates every stored secret to a new key, all or nothing", async () => {
    process.env.SANDPIPER_SECRET_KEY = OLD;
    const project = await createProject(t.db, { name: "Rotation", description: "" });
    for (let i = 0; i < 3; i++) {
      await createOpenAiEndpoint(t.db, project.id, { name: `ep${i}`, baseUrl: "http://127.0.0.1:9/v1", model: "m", apiKey: `sk-rotation-secret-${i}-xxxxxxxx` });
    }
    // Under the new key alone the old secrets cannot be read, and the error says what to do.
    process.env.SANDPIPER_SECRET_KEY = NEW;
    const before = await t.db.providerConnection.findMany({ where: { projectId: project.id } });
    expect(() => openSecret(before[0].secretCipher!)).toThrow(/SANDPIPER_SECRET_KEY_PREVIOUS/);
    await expect(rotateSecrets(t.db)).rejects.toThrow(/Nothing was changed/);
    expect((await t.db.providerConnection.findMany({ where: { projectId: project.id } })).map((r) => r.secretCipher)).toEqual(before.map((r) => r.secretCipher));

    process.env.SANDPIPER_SECRET_KEY_PREVIOUS = OLD;
    expect(await rotateSecrets(t.db)).toEqual({ rotated: 3, alreadyCurrent: 0 });
    delete process.env.SANDPIPER_SECRET_KEY_PREVIOUS;
    const after = await t.db.providerConnection.findMany({ where: { projectId: project.id }, orderBy: { name: "asc" } });
    expect(after.map((r) => openSecret(r.secretCipher!))).toEqual([0, 1, 2].map((i) => `sk-rotation-secret-${i}-xxxxxxxx`));
    // Running it again changes nothing.
    expect(await rotateSecrets(t.db)).toEqual({ rotated: 0, alreadyCurrent: 3 });
    expect(await t.db.auditEvent.count({ where: { action: "connection.rotate_key" } })).toBe(3);
  });
});
