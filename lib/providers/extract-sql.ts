// Pulls the SQL out of a model's answer. Models wrap their SQL in fences, prefix it with "SQL:",
// think aloud first (<think>…</think>) or add prose after it; the evaluator and the RFT reward
// must all read the same query out of the same answer, so this is the one place that does it.

const THINK_BLOCK = /<(think|thinking|reasoning)>[\s\S]*?<\/\1>/gi;
const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g;
const SQL_TAG = /<sql>([\s\S]*?)<\/sql>/gi;
const SQL_START = /^\s*(?:\(\s*)*(SELECT|WITH|FROM|VALUES)\b/im;

/** The SQL in a model answer, trimmed and without a trailing semicolon; "" when there is none. */
export function extractSql(text: string): string {
  let body = text.replace(THINK_BLOCK, "");
  // An unclosed reasoning block whose end tag survived (the opening one was cut off or never sent).
  const lastClose = body.search(/<\/(think|thinking|reasoning)>(?![\s\S]*<\/(think|thinking|reasoning)>)/i);
  if (lastClose !== -1) body = body.slice(body.indexOf(">", lastClose) + 1);
  // An opening tag with no end: the model never finished thinking, nothing after it is an answer.
  body = body.replace(/<(think|thinking|reasoning)>[\s\S]*$/i, "");

  const tagged = [...body.matchAll(SQL_TAG)].map((m) => m[1]);
  if (tagged.length > 0) return clean(tagged[tagged.length - 1]);

  const fences = [...body.matchAll(FENCE)].map((m) => ({ lang: m[1].toLowerCase(), code: m[2] }));
  if (fences.length > 0) {
    const sqlFences = fences.filter((f) => f.lang === "sql" || f.lang === "duckdb" || f.lang === "postgresql");
    // The last SQL block is the final answer when a model shows drafts first.
    const chosen = sqlFences.length > 0 ? sqlFences[sqlFences.length - 1] : fences[fences.length - 1];
    return clean(chosen.code);
  }

  const prefixed = /(?:^|\n)\s*(?:\*\*)?(?:SQL|SQL query|Query|Answer)(?:\*\*)?\s*:\s*(?:\*\*)?\s*([\s\S]*)$/i.exec(body);
  if (prefixed) return clean(stopAtProse(prefixed[1]));

  const start = SQL_START.exec(body);
  if (start) return clean(stopAtProse(body.slice(start.index)));

  return clean(body);
}

/** Cuts the query at its first statement-ending semicolon or at a blank line followed by prose. */
function stopAtProse(text: string): string {
  const semicolon = indexOfTerminator(text);
  let out = semicolon === -1 ? text : text.slice(0, semicolon);
  const paragraphs = out.split(/\n\s*\n/);
  if (paragraphs.length > 1) {
    const kept = [paragraphs[0]];
    for (const p of paragraphs.slice(1)) {
      if (/^\s*(SELECT|FROM|WHERE|GROUP|ORDER|HAVING|LIMIT|JOIN|LEFT|RIGHT|INNER|UNION|WITH|AND|OR|\))/i.test(p)) kept.push(p);
      else break;
    }
    out = kept.join("\n\n");
  }
  return out;
}

/** Index of the first semicolon outside string literals and quoted identifiers, or -1. */
function indexOfTerminator(text: string): number {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === ";") {
      return i;
    }
  }
  return -1;
}

function clean(sql: string): string {
  return sql.trim().replace(/[\s;]+$/, "").trim();
}
