// A word-level diff of two texts (a pair's question or SQL before and after an edit), for the
// review history. Texts are split into tokens — runs of letters/digits/underscores, runs of
// whitespace, SQL operators (<=, >=, <>, !=, ||, ::) and single punctuation characters — and the
// longest common subsequence of tokens is found with Myers' O(ND) algorithm after trimming the
// common head and tail.
//
// Size bounds: word granularity is used while both texts are at most WORD_DIFF_MAX_CHARS long and
// the edit script needs at most MAX_EDITS token insertions/deletions; otherwise the same algorithm
// runs on lines. If even the lines differ by more than MAX_EDITS, the differing middle is shown as
// removed then added ("whole"). So a 100 KB text costs at most a few tens of milliseconds.

export type DiffKind = "same" | "added" | "removed";

export interface DiffSegment {
  kind: DiffKind;
  text: string;
}

export interface TextDiff {
  /** The granularity the diff was computed at (see the size bounds above). */
  granularity: "word" | "line" | "whole";
  segments: DiffSegment[];
}

export const WORD_DIFF_MAX_CHARS = 20_000;
const MAX_EDITS = 2_000;

const TOKEN = /[\p{L}\p{N}_]+|\s+|<=|>=|<>|!=|\|\||::|[^\p{L}\p{N}_\s]/gu;

export function tokenizeWords(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function tokenizeLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+/g) ?? [];
}

/** The segments that turn `before` into `after`: "same" text kept, "removed" from before, "added" in after. */
export function diffText(before: string, after: string): TextDiff {
  if (before === after) return { granularity: "word", segments: before ? [{ kind: "same", text: before }] : [] };
  if (before.length <= WORD_DIFF_MAX_CHARS && after.length <= WORD_DIFF_MAX_CHARS) {
    const words = diffTokens(tokenizeWords(before), tokenizeWords(after));
    if (words) return { granularity: "word", segments: tidy(words) };
  }
  const lines = diffTokens(tokenizeLines(before), tokenizeLines(after));
  if (lines) return { granularity: "line", segments: merge(lines) };
  return { granularity: "whole", segments: wholeDiff(before, after) };
}

/** Only the texts of the segments on one side: `before` is same + removed, `after` is same + added. */
export function sideOf(segments: DiffSegment[], side: "before" | "after"): string {
  const drop: DiffKind = side === "before" ? "added" : "removed";
  return segments
    .filter((s) => s.kind !== drop)
    .map((s) => s.text)
    .join("");
}

function wholeDiff(before: string, after: string): DiffSegment[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return merge([
    { kind: "same", text: before.slice(0, head) },
    { kind: "removed", text: before.slice(head, before.length - tail) },
    { kind: "added", text: after.slice(head, after.length - tail) },
    { kind: "same", text: before.slice(before.length - tail) },
  ]);
}

/** Myers' diff of two token lists, or null when it needs more than MAX_EDITS edits. */
function diffTokens(a: string[], b: string[]): DiffSegment[] | null {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const middle = myers(x, y);
  if (!middle) return null;
  const segments: DiffSegment[] = [{ kind: "same", text: a.slice(0, head).join("") }, ...middle, { kind: "same", text: a.slice(a.length - tail).join("") }];
  return segments.filter((s) => s.text !== "");
}

function myers(a: string[], b: string[]): DiffSegment[] | null {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) {
    return [
      { kind: "removed", text: a.join("") },
      { kind: "added", text: b.join("") },
    ];
  }
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] holds v[k] for k in -d..d after step d, to walk the edit script back.
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found === -1; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  if (found === -1) return null;

  // Walk back from (n, m), emitting tokens in reverse.
  const out: DiffSegment[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d - 1];
    const at = (k: number) => prev[k + d - 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      out.push({ kind: "same", text: a[--x] });
      y--;
    }
    if (down) out.push({ kind: "added", text: b[--y] });
    else out.push({ kind: "removed", text: a[--x] });
  }
  while (x > 0 && y > 0) {
    out.push({ kind: "same", text: a[--x] });
    y--;
  }
  return out.reverse();
}

/** Adjacent segments of one kind joined; within a run of changes, removed text before added. */
function merge(segments: DiffSegment[]): DiffSegment[] {
  const out: DiffSegment[] = [];
  let removed = "";
  let added = "";
  const flush = () => {
    if (removed) out.push({ kind: "removed", text: removed });
    if (added) out.push({ kind: "added", text: added });
    removed = "";
    added = "";
  };
  for (const s of segments) {
    if (s.text === "") continue;
    if (s.kind === "removed") removed += s.text;
    else if (s.kind === "added") added += s.text;
    else {
      flush();
      const last = out.at(-1);
      if (last?.kind === "same") last.text += s.text;
      else out.push({ ...s });
    }
  }
  flush();
  return out;
}

/**
 * Reads better. First, an insertion or deletion between two kept texts can often slide left or
 * right without changing the result ("a[, b] c" or "a[,] [b ]c"); it is moved to the position with
 * the most natural edges (text edges, line breaks, spaces, punctuation), which also joins runs that
 * only a slide kept apart. Then whitespace kept between two replacements is folded into them, so
 * "red apple" → "green pear" shows as one replacement rather than two around a kept space.
 */
function tidy(segments: DiffSegment[]): DiffSegment[] {
  const slid = merge(segments);
  for (let i = 0; i < slid.length; i++) {
    const before = slid[i - 1];
    const after = slid[i + 1];
    if (slid[i].kind === "same" || (before && before.kind !== "same") || (after && after.kind !== "same")) continue;
    slide(before, slid[i], after);
  }
  const merged = merge(slid);
  const out: DiffSegment[] = [];
  for (let i = 0; i < merged.length; i++) {
    const s = merged[i];
    const left = runKinds(merged, i - 1, -1);
    const right = runKinds(merged, i + 1, 1);
    const replacing = (left.has("removed") || right.has("removed")) && (left.has("added") || right.has("added"));
    if (s.kind === "same" && /^\s+$/.test(s.text) && left.size > 0 && right.size > 0 && replacing) out.push({ kind: "removed", text: s.text }, { kind: "added", text: s.text });
    else out.push(s);
  }
  return merge(out);
}

/** The kinds of the run of changes that starts at `from` and goes in direction `step`. */
function runKinds(segments: DiffSegment[], from: number, step: 1 | -1): Set<DiffKind> {
  const kinds = new Set<DiffKind>();
  for (let i = from; i >= 0 && i < segments.length && segments[i].kind !== "same"; i += step) kinds.add(segments[i].kind);
  return kinds;
}

function slide(before: DiffSegment | undefined, change: DiffSegment, after: DiffSegment | undefined): void {
  const p = before?.text ?? "";
  const t = change.text;
  const s = after?.text ?? "";
  let left = 0;
  while (left < p.length && left < t.length && p[p.length - 1 - left] === t[t.length - 1 - left]) left++;
  let right = 0;
  while (right < s.length && right < t.length && t[right] === s[right]) right++;
  if (left === 0 && right === 0) return;
  let best = { score: -1, p, t, s };
  for (let o = -left; o <= right; o++) {
    const np = o < 0 ? p.slice(0, p.length + o) : p + t.slice(0, o);
    const nt = o < 0 ? p.slice(p.length + o) + t.slice(0, t.length + o) : t.slice(o) + s.slice(0, o);
    const ns = o < 0 ? t.slice(t.length + o) + s : s.slice(o);
    // Ties keep the leftmost position, which puts a repeated token's insertion first.
    const score = edgeScore(np.at(-1), nt[0], before === undefined) + edgeScore(nt.at(-1), ns[0], after === undefined);
    if (score > best.score) best = { score, p: np, t: nt, s: ns };
  }
  if (before) before.text = best.p;
  change.text = best.t;
  if (after) after.text = best.s;
}

/** How natural a boundary between two characters is (undefined: the edge of a text or a segment). */
function edgeScore(x: string | undefined, y: string | undefined, textEdge: boolean): number {
  if (x === undefined || y === undefined) return textEdge ? 6 : 5;
  if (x === "\n" || y === "\n") return 4;
  const xWord = /[\p{L}\p{N}_]/u.test(x);
  const yWord = /[\p{L}\p{N}_]/u.test(y);
  if (/\s/.test(x) !== /\s/.test(y)) return 3;
  if (xWord !== yWord) return 2;
  if (!xWord && !yWord) return 1;
  return 0;
}
