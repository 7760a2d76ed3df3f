import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getDataDir } from "@/lib/db/config";
import { registerSecret } from "@/lib/redact";

// Provider secrets are sealed with AES-256-GCM. The key comes from SANDPIPER_SECRET_KEY; without
// it (the offline demo) a random key is created once in <data dir>/secret.key with mode 0600.
// A sealed value is "v1.<keyId>.<iv>.<tag>.<ciphertext>" (base64url), keyId = first 8 hex of
// sha256(key), so a value sealed under another key is recognised instead of decrypting to noise.

/** The studio key (SANDPIPER_SECRET_KEY, or the generated one); other keys are derived from it. */
export function loadKeyMaterial(): string {
  const fromEnv = process.env.SANDPIPER_SECRET_KEY;
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error("SANDPIPER_SECRET_KEY must be at least 32 characters long.");
    return fromEnv;
  }
  const file = path.join(getDataDir(), "secret.key");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
  }
  return readFileSync(file, "utf8").trim();
}

function deriveKey(material: string): { key: Buffer; keyId: string } {
  const key = createHash("sha256").update(material).digest();
  return { key, keyId: createHash("sha256").update(key).digest("hex").slice(0, 8) };
}

export function sealSecret(plaintext: string): { cipher: string; keyId: string; hint: string } {
  const { key, keyId } = deriveKey(loadKeyMaterial());
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([c.update(plaintext, "utf8"), c.final()]);
  const tag = c.getAuthTag();
  return {
    cipher: ["v1", keyId, iv.toString("base64url"), tag.toString("base64url"), body.toString("base64url")].join("."),
    keyId,
    hint: plaintext.length > 8 ? plaintext.slice(-4) : "",
  };
}

/** Key ids this process can open: the current key and, during a rotation, the previous one. */
function openableKeys(): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  const current = deriveKey(loadKeyMaterial());
  keys.set(current.keyId, current.key);
  const previous = process.env.SANDPIPER_SECRET_KEY_PREVIOUS;
  if (previous) {
    const p = deriveKey(previous);
    keys.set(p.keyId, p.key);
  }
  return keys;
}

export function getCurrentKeyId(): string {
  return deriveKey(loadKeyMaterial()).keyId;
}

export function sealedKeyId(sealed: string): string | null {
  const [version, keyId] = sealed.split(".");
  return version === "v1" && keyId ? keyId : null;
}

export function openSecret(sealed: string): string {
  const [version, keyId, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !keyId || !iv || !tag || body === undefined) throw new Error("This secret is not in a format the studio can read.");
  const key = openableKeys().get(keyId);
  if (!key) {
    throw new Error(
      `This secret was sealed with another key (${keyId}). Set SANDPIPER_SECRET_KEY_PREVIOUS to that key and run npm run secrets:rotate, or enter the secret again.`,
    );
  }
  const d = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  d.setAuthTag(Buffer.from(tag, "base64url"));
  let plaintext: string;
  try {
    plaintext = Buffer.concat([d.update(Buffer.from(body, "base64url")), d.final()]).toString("utf8");
  } catch {
    throw new Error("This secret could not be decrypted: it was altered, or the key is wrong. Enter the secret again.");
  }
  registerSecret(plaintext);
  return plaintext;
}
