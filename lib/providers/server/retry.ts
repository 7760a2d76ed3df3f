// The retry policy every provider client shares: exponential backoff with jitter, a server's
// Retry-After honoured, one cap on any single wait.

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - Date.now());
}

export function backoff(attempt: number, baseMs: number, capMs: number): number {
  const exponential = baseMs * 2 ** attempt;
  // Up to 20% jitter keeps parallel workers from retrying in lockstep.
  return Math.min(capMs, exponential * (1 + Math.random() * 0.2));
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A provider's text quoted on one line, cut at `max` characters. */
export function quoteOneLine(text: string, max = 300): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
