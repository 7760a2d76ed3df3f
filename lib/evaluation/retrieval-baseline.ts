// The no-LLM baseline of a scorecard: answer a test question with the SQL of the most similar
// training question (TF-IDF cosine over word tokens). A fine-tuned model that cannot beat this is
// memorising templates rather than writing SQL. The same index picks few-shot examples
// (lib/evaluation/few-shot.ts), so "most similar" means one thing across the scorecard.

export interface RetrievalAnswer {
  sql: string;
  /** Cosine similarity in [0, 1]; 0 when nothing is shared. */
  score: number;
  matchedQuestion: string;
}

export interface RetrievalBaseline {
  answer(question: string): RetrievalAnswer;
}

const STOPWORDS = new Set(
  (
    "a an the of in on at to for from by with and or is are was were be been being do does did " +
    "what which who whom whose how many much me my i you your we our it its this that these those " +
    "there their them they he she his her as into than then so such can could would should will " +
    "please show list give find tell get return all any each"
  ).split(" "),
);

export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).filter((t) => !STOPWORDS.has(t));
}

type Vector = Map<string, number>;

export interface Example {
  question: string;
  sql: string;
}

export interface Neighbour<T extends Example> {
  example: T;
  /** Position of the example in the list the index was built from. */
  index: number;
  /** Cosine similarity in [0, 1]; 0 when nothing is shared. */
  score: number;
}

export interface ExampleIndex<T extends Example> {
  readonly size: number;
  /**
   * The k examples most similar to `question`, best first. Examples sharing nothing still count
   * (score 0), so k are returned whenever there are k; ties keep the earlier example, so the
   * choice is deterministic. `exclude` leaves examples out (e.g. the item being answered).
   */
  nearest(question: string, k: number, exclude?: (example: T, index: number) => boolean): Neighbour<T>[];
}

/** A TF-IDF index over the examples' questions. */
export function createExampleIndex<T extends Example>(examples: readonly T[]): ExampleIndex<T> {
  const docs = examples.map((example) => tokenize(example.question));
  const documentFrequency = new Map<string, number>();
  for (const tokens of docs) {
    for (const term of new Set(tokens)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const n = examples.length;
  // Smoothed IDF keeps terms that occur everywhere slightly above zero.
  const idf = (term: string) => Math.log((1 + n) / (1 + (documentFrequency.get(term) ?? 0))) + 1;

  const vectorize = (tokens: string[]): Vector => {
    const counts = new Map<string, number>();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    const vector: Vector = new Map();
    let norm = 0;
    for (const [term, count] of counts) {
      const weight = (1 + Math.log(count)) * idf(term);
      vector.set(term, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [term, weight] of vector) vector.set(term, weight / norm);
    return vector;
  };

  const vectors = docs.map(vectorize);

  return {
    size: n,
    nearest(question, k, exclude) {
      if (n === 0 || k <= 0) return [];
      const query = vectorize(tokenize(question));
      const scored: { index: number; score: number }[] = [];
      for (let i = 0; i < n; i++) {
        if (exclude?.(examples[i], i)) continue;
        let dot = 0;
        const [small, large] = query.size <= vectors[i].size ? [query, vectors[i]] : [vectors[i], query];
        for (const [term, weight] of small) dot += weight * (large.get(term) ?? 0);
        scored.push({ index: i, score: dot });
      }
      // Scores within rounding noise count as a tie, which the earlier example wins.
      scored.sort((a, b) => (Math.abs(b.score - a.score) > 1e-12 ? b.score - a.score : a.index - b.index));
      return scored.slice(0, k).map(({ index, score }) => ({ example: examples[index], index, score: Math.min(1, Math.max(0, score)) }));
    },
  };
}

/** Builds the baseline from training pairs; `answer` picks the nearest training question. */
export function createRetrievalBaseline(train: readonly Example[]): RetrievalBaseline {
  const index = createExampleIndex(train);
  return {
    answer(question: string): RetrievalAnswer {
      const [best] = index.nearest(question, 1);
      if (!best) return { sql: "", score: 0, matchedQuestion: "" };
      return { sql: best.example.sql, score: best.score, matchedQuestion: best.example.question };
    },
  };
}
