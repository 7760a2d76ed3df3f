// Secrets the process knows about (provider keys it decrypted, the studio key) are registered
// here and masked wherever text leaves the process: logs, stored error messages, API errors.

const known = new Set<string>();

export function registerSecret(secret: string | null | undefined): void {
  if (secret && secret.length >= 6) known.add(secret);
}

const PATTERNS: RegExp[] = [
  /\b(sk|fw|spt|sbx)[-_][A-Za-z0-9_-]{12,}\b/g, // common API key shapes, and the studio's own tokens
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi,
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join("[redacted]");
  for (const pattern of PATTERNS) out = out.replace(pattern, (m, p1) => (typeof p1 === "string" && /bearer/i.test(p1) ? `${p1}[redacted]` : "[redacted]"));
  return out;
}
