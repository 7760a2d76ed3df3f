import { describe, expect, it } from "vitest";
import { diffText, sideOf, tokenizeWords, WORD_DIFF_MAX_CHARS, type DiffSegment } from "@/lib/review/text-diff";

function expectRoundTrip(before: string, after: string, segments: DiffSegment[]) {
  expect(sideOf(segments, "before")).toBe(before);
  expect(sideOf(segments, "after")).toBe(after);
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("tokenizeWords", () => {
  it("splits SQL into words, whitespace, operators and punctuation", () => {
    expect(tokenizeWords("SELECT a.city, COUNT(*) FROM t WHERE x<=3 AND y<>'é'")).toEqual([
      "SELECT", " ", "a", ".", "city", ",", " ", "COUNT", "(", "*", ")", " ", "FROM", " ", "t", " ", "WHERE", " ", "x", "<=", "3", " ", "AND", " ", "y", "<>", "'", "é", "'",
    ]);
  });

  it("keeps every character", () => {
    const text = "How many airports\n\tare in Norway?  (incl. closed ones) — ∑ x::int || y";
    expect(tokenizeWords(text).join("")).toBe(text);
  });
});

describe("diffText", () => {
  it("returns one kept segment for equal texts and nothing for two empty ones", () => {
    expect(diffText("same", "same")).toEqual({ granularity: "word", segments: [{ kind: "same", text: "same" }] });
    expect(diffText("", "")).toEqual({ granularity: "word", segments: [] });
  });

  it("shows a changed word as removed then added, in place", () => {
    const d = diffText("How many airports are in Norway?", "How many airlines are in Norway?");
    expect(d.segments).toEqual([
      { kind: "same", text: "How many " },
      { kind: "removed", text: "airports" },
      { kind: "added", text: "airlines" },
      { kind: "same", text: " are in Norway?" },
    ]);
  });

  it("diffs SQL at the token level", () => {
    const before = "SELECT name FROM airports WHERE country = 'NO' ORDER BY name";
    const after = "SELECT name, city FROM airports WHERE country = 'SE' ORDER BY name DESC";
    const d = diffText(before, after);
    expect(d.granularity).toBe("word");
    expect(d.segments).toEqual([
      { kind: "same", text: "SELECT name" },
      { kind: "added", text: ", city" },
      { kind: "same", text: " FROM airports WHERE country = '" },
      { kind: "removed", text: "NO" },
      { kind: "added", text: "SE" },
      { kind: "same", text: "' ORDER BY name" },
      { kind: "added", text: " DESC" },
    ]);
  });

  it("folds a lone space between two changes into one replacement", () => {
    expect(diffText("red apple pie", "green pear pie").segments).toEqual([
      { kind: "removed", text: "red apple" },
      { kind: "added", text: "green pear" },
      { kind: "same", text: " pie" },
    ]);
  });

  it("handles text only on one side", () => {
    expect(diffText("", "new text").segments).toEqual([{ kind: "added", text: "new text" }]);
    expect(diffText("old text", "").segments).toEqual([{ kind: "removed", text: "old text" }]);
  });

  it("reproduces both texts from its segments, whatever the edits", () => {
    const next = random(7);
    const words = ["SELECT", "a", "b", "FROM", "t", "WHERE", "x", "=", "1", ",", "(", ")", " ", "\n", "JOIN", "ON"];
    for (let round = 0; round < 200; round++) {
      const before = Array.from({ length: Math.floor(next() * 40) }, () => words[Math.floor(next() * words.length)]).join("");
      const tokens = tokenizeWords(before);
      const edited = tokens.flatMap((t) => {
        const r = next();
        if (r < 0.1) return [];
        if (r < 0.2) return [words[Math.floor(next() * words.length)]];
        if (r < 0.3) return [t, words[Math.floor(next() * words.length)]];
        return [t];
      });
      const after = edited.join("");
      expectRoundTrip(before, after, diffText(before, after).segments);
    }
  });

  it("finds a minimal edit: a single inserted word costs one added segment", () => {
    const before = Array.from({ length: 300 }, (_, i) => `w${i % 17}`).join(" ");
    const after = before.replace("w3 w4", "w3 inserted w4");
    const changed = diffText(before, after).segments.filter((s) => s.kind !== "same");
    expect(changed).toEqual([{ kind: "added", text: " inserted" }]);
  });

  it("falls back to lines above the word size bound", () => {
    const lines = Array.from({ length: 3_000 }, (_, i) => `SELECT col_${i} FROM table_${i % 50} WHERE id = ${i};\n`);
    const before = lines.join("");
    const after = [...lines.slice(0, 1_500), "SELECT changed FROM somewhere;\n", ...lines.slice(1_501)].join("");
    expect(before.length).toBeGreaterThan(100_000);
    const started = performance.now();
    const d = diffText(before, after);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(d.granularity).toBe("line");
    expect(d.segments.filter((s) => s.kind !== "same")).toEqual([
      { kind: "removed", text: lines[1_500] },
      { kind: "added", text: "SELECT changed FROM somewhere;\n" },
    ]);
    expectRoundTrip(before, after, d.segments);
  });

  it("stays word-level up to the bound", () => {
    const before = "word ".repeat(Math.floor(WORD_DIFF_MAX_CHARS / 5) - 1);
    expect(diffText(before, `${before}end`).granularity).toBe("word");
  });

  it("gives up on detail, not on correctness, for two unrelated 100 KB texts", () => {
    const next = random(3);
    const make = () => Array.from({ length: 6_000 }, () => `${Math.floor(next() * 1e6)} ${Math.floor(next() * 1e6)}\n`).join("");
    const before = make();
    const after = make();
    const started = performance.now();
    const d = diffText(before, after);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(d.granularity).toBe("whole");
    expectRoundTrip(before, after, d.segments);
  });

  it("diffs 100 KB of changed words within the edit bound quickly", () => {
    const next = random(11);
    const before = Array.from({ length: 8_000 }, (_, i) => `token${i}`).join(" ");
    const after = before
      .split(" ")
      .map((w) => (next() < 0.02 ? `${w}x` : w))
      .join(" ");
    const started = performance.now();
    const d = diffText(before, after);
    expect(performance.now() - started).toBeLessThan(1_000);
    expectRoundTrip(before, after, d.segments);
  });
});
