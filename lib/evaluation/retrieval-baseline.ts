// The no-LLM baseline of a scorecard: answer a test question with the SQL of the most similar
// training question (TF-IDF cosine over word tokens). A fine-tuned model that cannot beat this is
// memorising templates rather than writing SQL.

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

/** Builds the baseline from training pairs; `answer` picks the nearest training question. */
export function createRetrievalBaseline(train: readonly { question: string; sql: string }[]): RetrievalBaseline {
  const docs = train.map((pair) => tokenize(pair.question));
  const documentFrequency = new Map<string, number>();
  for (const tokens of docs) {
    for (const term of new Set(tokens)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const n = train.length;
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
    answer(question: string): RetrievalAnswer {
      if (n === 0) return { sql: "", score: 0, matchedQuestion: "" };
      const query = vectorize(tokenize(question));
      let best = 0;
      let bestScore = -1;
      for (let i = 0; i < n; i++) {
        let dot = 0;
        const [small, large] = query.size <= vectors[i].size ? [query, vectors[i]] : [vectors[i], query];
        for (const [term, weight] of small) dot += weight * (large.get(term) ?? 0);
        // Ties keep the earliest pair, so answers are deterministic.
        if (dot > bestScore + 1e-12) {
          bestScore = dot;
          best = i;
        }
      }
      return { sql: train[best].sql, score: Math.min(1, Math.max(0, bestScore)), matchedQuestion: train[best].question };
    },
  };
}
