// The Python sources of the evaluator package, kept here as strings so the package is built in
// memory (no file reads at run time, so it works in a production build). Each is a literal copy of
// a .py file: no backtick and no dollar-brace inside, so String.raw keeps every character.
// sandpiper_reward.py is a port of lib/providers/extract-sql.ts, lib/evaluation/answer-sql.ts and
// lib/evaluation/compare.ts; a change to any of those must be made here too (evaluator.int.test.ts
// compares the two on random results and answers).

/** The line of REWARD_CORE_PY that the generator replaces with the package's constants. */
export const CONSTANTS_MARKER = "# __SANDPIPER_CONSTANTS__";

/** sandpiper_reward.py: extraction, the sandbox call, the comparator and score(); standard library only. */
export const REWARD_CORE_PY = String.raw`"""The reward of a Sandpiper reinforcement fine-tuning job.

score() pulls the SQL out of a model's answer, runs it read-only on the dataset version's sandbox
through the studio (POST /api/sandbox-access/query) and compares its result with the gold result.
Extraction and comparison are ports of the studio's own (lib/providers/extract-sql.ts,
lib/evaluation/answer-sql.ts, lib/evaluation/compare.ts): a prediction earns the same verdict, with
the same one-line reason, in training as in the studio's evaluation runs. JavaScript's semantics are
kept where they show: numbers are doubles, strings compare by UTF-16 code unit, numbers print as
JavaScript prints them. Python 3 standard library only.
"""

import http.client
import json
import math
import os
import re
import time
import urllib.error
import urllib.request
from decimal import ROUND_HALF_UP, Decimal, localcontext
from email.utils import parsedate_to_datetime
from functools import cmp_to_key

# __SANDPIPER_CONSTANTS__

# The evaluation runner's row cap: one row over its 5,000 tells a too-large result apart.
MAX_ROWS = 5001
MAX_ATTEMPTS = 5
MAX_WAIT_SECONDS = 30.0


class SandpiperConfigError(RuntimeError):
    """The sandbox cannot be reached as configured (token, address, version): no score is possible."""


class SandpiperUnavailable(RuntimeError):
    """The studio could not be reached or kept failing: the score is unknown, not zero."""


class QueryRejected(Exception):
    """The studio refused the SQL or the SQL failed: the model's fault, worth a score of 0."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# ---------- running SQL on the sandbox ----------


def studio_config():
    """The studio address and token: SANDPIPER_URL / SANDPIPER_TOKEN, else the ones built in."""
    url = (os.environ.get("SANDPIPER_URL") or DEFAULT_STUDIO_URL).rstrip("/")
    token = os.environ.get("SANDPIPER_TOKEN") or DEFAULT_TOKEN
    return url, token


def run_sql(sql):
    """Runs one query on the sandbox: {"columns": [names], "rows": [[...]], "truncated": bool}.

    Raises QueryRejected when the studio refuses the SQL or the SQL fails (HTTP 400, 413),
    SandpiperConfigError when the token or address is wrong (401, 403, 404, 409), and
    SandpiperUnavailable when the studio keeps failing; a rate limit (429) is waited out.
    """
    url, token = studio_config()
    endpoint = url + "/api/sandbox-access/query"
    body = json.dumps({"sql": sql, "maxRows": MAX_ROWS}).encode("utf-8")
    problem = ""
    for attempt in range(MAX_ATTEMPTS):
        request = urllib.request.Request(
            endpoint,
            data=body,
            method="POST",
            headers={
                "Authorization": "Bearer " + token,
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": "sandpiper-reward/1",
            },
        )
        wait = min(MAX_WAIT_SECONDS, 0.5 * 2**attempt)
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                text = response.read().decode("utf-8")
            try:
                payload = json.loads(text)
            except ValueError:
                raise SandpiperConfigError(
                    "The studio at %s did not answer with JSON: is SANDPIPER_URL the studio's address? It answered: %s"
                    % (url, _quote_one_line(text, 200))
                )
            columns = [c.get("name", "") if isinstance(c, dict) else c for c in payload.get("columns") or []]
            return {"columns": columns, "rows": payload.get("rows") or [], "truncated": bool(payload.get("truncated"))}
        except urllib.error.HTTPError as error:
            status = error.code
            message = _error_message(error)
            if status in (400, 413):
                raise QueryRejected(message)
            if status in (401, 403):
                raise SandpiperConfigError(
                    "The studio refused the sandbox token (HTTP %d): %s Set SANDPIPER_TOKEN to a valid token for dataset version %s (%s)."
                    % (status, message, DATASET_VERSION_ID, LABEL)
                )
            if status in (404, 405, 409):
                raise SandpiperConfigError(
                    "The studio at %s cannot run queries for this package (HTTP %d): %s Check SANDPIPER_URL and that dataset version %s still has its sandbox."
                    % (url, status, message, DATASET_VERSION_ID)
                )
            if status == 429:
                wait = _retry_after(error.headers.get("Retry-After"), wait)
            elif status < 500:
                raise SandpiperConfigError("The studio answered HTTP %d: %s" % (status, message))
            problem = "HTTP %d: %s" % (status, message)
        except (OSError, http.client.HTTPException) as error:
            # Connection refused or reset, DNS failure, timeout, a cut-off answer: worth another try.
            problem = str(getattr(error, "reason", None) or error) or type(error).__name__
        if attempt + 1 < MAX_ATTEMPTS:
            time.sleep(wait)
    raise SandpiperUnavailable("The studio at %s did not run the query after %d attempts (%s)." % (url, MAX_ATTEMPTS, problem))


def _error_message(error):
    try:
        text = error.read().decode("utf-8", "replace")
    except OSError:
        return "(no body)"
    try:
        message = json.loads(text)["error"]["message"]
        if isinstance(message, str):
            return message
    except (ValueError, KeyError, TypeError):
        pass
    return _quote_one_line(text, 200) or "(no body)"


def _retry_after(value, fallback):
    """Retry-After as seconds or an HTTP date, capped; the fallback when it is absent or unreadable."""
    if not value:
        return fallback
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError):
            return fallback
    if seconds != seconds:
        return fallback
    return min(MAX_WAIT_SECONDS, max(0.0, seconds))


# ---------- the reward ----------


def score(answer_text, ground_truth, order_matters=False):
    """Scores one answer: {"score": 1.0 | 0.0, "reason": one line, "sql": the SQL that ran ("" for none)}.

    ground_truth is the RFT line's ground_truth: the gold result {columns, rows}, as JSON text or
    already parsed. order_matters: the gold query orders its rows (the line's order_matters).
    """
    text = answer_text if isinstance(answer_text, str) else ("" if answer_text is None else str(answer_text))
    sql = extract_sql(text)
    if not holds_sql(text, sql):
        return {"score": 0.0, "reason": "The answer holds no SQL: " + _quote_start(text), "sql": ""}
    gold = _read_ground_truth(ground_truth)
    try:
        pred = run_sql(sql)
    except QueryRejected as rejected:
        return {"score": 0.0, "reason": _cut(_redact(rejected.message)), "sql": sql}
    settings = dict(COMPARE_SETTINGS)
    settings["orderMatters"] = bool(order_matters)
    verdict = compare_results(gold, pred, settings)
    return {"score": 1.0 if verdict["match"] else 0.0, "reason": _cut(_redact(verdict["reason"])), "sql": sql}


def _read_ground_truth(value):
    parsed = json.loads(value) if isinstance(value, str) else value
    if not isinstance(parsed, dict) or not isinstance(parsed.get("rows"), list):
        raise ValueError("ground_truth must be the gold result {columns, rows} (as exported by the studio)")
    return parsed


def _quote_start(text):
    line = _quote_one_line(_redact(text), 120)
    return '"' + line + '"' if line else "the answer was empty."


def _cut(text):
    return _js_slice(text, 999) + "\u2026" if _js_len(text) > 1000 else text


# ---------- JavaScript's whitespace, strings and numbers ----------

# JavaScript's \s and trim(): WhiteSpace and LineTerminator (ASCII \s misses some, Unicode \s adds some).
_S = r"[\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_WS_CHARS = "\t\n\x0b\x0c\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(chr(c) for c in range(0x2000, 0x200B))
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
MAX_SAFE_INTEGER = 2**53 - 1


def _js_trim(text):
    return text.strip(_WS_CHARS)


def _js_len(text):
    """The length JavaScript sees: UTF-16 code units."""
    return len(text) + len(_ASTRAL.findall(text))


def _js_slice(text, end):
    """text.slice(0, end) in UTF-16 code units (it may end on half a surrogate pair, as in JavaScript)."""
    if not _ASTRAL.search(text):
        return text[:end]
    return text.encode("utf-16-le", "surrogatepass")[: 2 * end].decode("utf-16-le", "surrogatepass")


def _utf16(text):
    return text.encode("utf-16-be", "surrogatepass")


def _str_cmp(a, b):
    """JavaScript's < on strings: by UTF-16 code unit, not by code point."""
    if a == b:
        return 0
    if _ASTRAL.search(a) or _ASTRAL.search(b):
        a, b = _utf16(a), _utf16(b)
    return -1 if a < b else 1


def _sort_strings(strings):
    if any(_ASTRAL.search(t) for t in strings):
        strings.sort(key=_utf16)
    else:
        strings.sort()


def _js_num(x):
    """String(x) for a double, as JavaScript writes it (shortest digits, its own exponent rules)."""
    if x != x:
        return "NaN"
    if x == 0:
        return "0"
    if x < 0:
        return "-" + _js_num(-x)
    if math.isinf(x):
        return "Infinity"
    mantissa, _, exponent = repr(x).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    sign = "+" if n - 1 >= 0 else "-"
    head = digits if k == 1 else digits[0] + "." + digits[1:]
    return head + "e" + sign + str(abs(n - 1))


def _js_to_fixed(x, digits):
    """x.toFixed(digits): the exact decimal value rounded half up (away from zero), as JavaScript does."""
    if x != x:
        return "NaN"
    if abs(x) >= 1e21:
        return _js_num(x)
    sign = ""
    if x < 0:
        sign, x = "-", -x
    with localcontext() as context:
        context.prec = 1200
        n = int((Decimal(x) * (Decimal(10) ** digits)).to_integral_value(rounding=ROUND_HALF_UP))
    m = str(n)
    if digits:
        k = len(m)
        if k <= digits:
            m = "0" * (digits + 1 - k) + m
            k = digits + 1
        m = m[: k - digits] + "." + m[k - digits :]
    return sign + m


def _js_round(x):
    """Math.round: halves go up."""
    r = math.floor(x)
    return r + 1 if x - r >= 0.5 else r


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\ud800-\udfff]')
_ARRAY_INDEX = re.compile(r"(?:0|[1-9][0-9]*)\Z")


def _js_quote(text):
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0)) or "\\u%04x" % ord(m.group(0)), text) + '"'


def _is_index(key):
    return bool(_ARRAY_INDEX.match(key)) and int(key) < 4294967295


def _js_keys(obj):
    """Object.keys order: array-index keys ascending, then the rest in insertion order."""
    keys = list(obj.keys())
    index = [k for k in keys if _is_index(k)]
    if not index:
        return keys
    return sorted(index, key=int) + [k for k in keys if not _is_index(k)]


def _js_stringify(v):
    """JSON.stringify(v)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return _js_num(v) if math.isfinite(v) else "null"
    if isinstance(v, str):
        return _js_quote(v)
    if isinstance(v, list):
        return "[" + ",".join(_js_stringify(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(_js_quote(k) + ":" + _js_stringify(v[k]) for k in _js_keys(v)) + "}"
    return "null"


def _js_value(v):
    """A JSON value as JavaScript holds it: every number a double."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        try:
            return float(v)
        except OverflowError:
            return math.inf if v > 0 else -math.inf
    if isinstance(v, float):
        return v
    if isinstance(v, (list, tuple)):
        return [_js_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _js_value(x) for k, x in v.items()}
    return str(v)


# ---------- extracting the SQL (lib/providers/extract-sql.ts) ----------

_I = re.IGNORECASE | re.ASCII
_THINK_BLOCK = re.compile(r"<(?P<tag>think|thinking|reasoning)>[\s\S]*?</(?P=tag)>", _I)
_LAST_CLOSE = re.compile(r"</(?:think|thinking|reasoning)>(?![\s\S]*</(?:think|thinking|reasoning)>)", _I)
_OPEN_TO_END = re.compile(r"<(?:think|thinking|reasoning)>[\s\S]*\Z", _I)
_SQL_TAG = re.compile(r"<sql>([\s\S]*?)</sql>", _I)
_FENCE = re.compile(r"\x60\x60\x60[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)(?:\x60\x60\x60|\Z)", re.ASCII)
_PREFIXED = re.compile(
    r"(?:\A|\n)" + _S + r"*(?:\*\*)?(?:SQL|SQL query|Query|Answer)(?:\*\*)?" + _S + r"*:" + _S + r"*(?:\*\*)?" + _S + r"*([\s\S]*)\Z",
    _I,
)
# JavaScript's ^ under the m flag: the start, or just after any line terminator.
_SQL_START = re.compile(r"(?<![^\n\r\u2028\u2029])" + _S + r"*(?:\(" + _S + r"*)*(SELECT|WITH|FROM|VALUES)\b", _I)
_PARAGRAPH_BREAK = re.compile(r"\n" + _S + r"*\n")
_SQL_PARAGRAPH = re.compile(_S + r"*(?:SELECT|FROM|WHERE|GROUP|ORDER|HAVING|LIMIT|JOIN|LEFT|RIGHT|INNER|UNION|WITH|AND|OR|\))", _I)


def extract_sql(text):
    """The SQL in a model answer, trimmed and without a trailing semicolon; "" when there is none."""
    body = _THINK_BLOCK.sub("", text)
    # An unclosed reasoning block whose end tag survived (the opening one was cut off or never sent).
    last_close = _LAST_CLOSE.search(body)
    if last_close:
        body = body[body.index(">", last_close.start()) + 1 :]
    # An opening tag with no end: the model never finished thinking, nothing after it is an answer.
    body = _OPEN_TO_END.sub("", body, count=1)

    tagged = [m.group(1) for m in _SQL_TAG.finditer(body)]
    if tagged:
        return _clean(tagged[-1])

    fences = [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(body)]
    if fences:
        sql_fences = [f for f in fences if f[0] in ("sql", "duckdb", "postgresql")]
        # The last SQL block is the final answer when a model shows drafts first.
        chosen = sql_fences[-1] if sql_fences else fences[-1]
        return _clean(chosen[1])

    prefixed = _PREFIXED.search(body)
    if prefixed:
        return _clean(_stop_at_prose(prefixed.group(1)))

    start = _SQL_START.search(body)
    if start:
        return _clean(_stop_at_prose(body[start.start() :]))

    return _clean(body)


def _stop_at_prose(text):
    """Cuts the query at its first statement-ending semicolon or at a blank line followed by prose."""
    semicolon = _index_of_terminator(text)
    out = text if semicolon == -1 else text[:semicolon]
    paragraphs = _PARAGRAPH_BREAK.split(out)
    if len(paragraphs) > 1:
        kept = [paragraphs[0]]
        for paragraph in paragraphs[1:]:
            if not _SQL_PARAGRAPH.match(paragraph):
                break
            kept.append(paragraph)
        out = "\n\n".join(kept)
    return out


def _index_of_terminator(text):
    """Index of the first semicolon outside string literals and quoted identifiers, or -1."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif ch == ";":
            return i
    return -1


def _clean(sql):
    return _js_trim(_js_trim(sql).rstrip(_WS_CHARS + ";"))


# ---------- whether an answer holds SQL at all (lib/evaluation/answer-sql.ts) ----------

_SQL_KEYWORDS = frozenset(
    "SELECT WITH FROM VALUES TABLE INSERT UPDATE DELETE MERGE CREATE DROP ALTER TRUNCATE PRAGMA SET RESET COPY ATTACH "
    "DETACH INSTALL LOAD CALL EXPORT IMPORT DESCRIBE SHOW SUMMARIZE EXPLAIN PIVOT UNPIVOT USE CHECKPOINT VACUUM BEGIN "
    "COMMIT ROLLBACK GRANT ANALYZE".split()
)
_SQL_MARKED = re.compile(r"\x60\x60\x60[ \t]*(?:sql|duckdb|postgresql)\b|<sql>", _I)
_LEADING_NOISE = re.compile(r"\A(?:" + _S + r"|\(|--[^\n]*(?:\n|\Z)|/\*[\s\S]*?\*/)+")
_FIRST_WORD = re.compile(r"[A-Za-z]+")


def holds_sql(answer, sql):
    """Whether the answer holds SQL: extract_sql falls back to the whole answer, prose included.

    A fenced sql block or an <sql> tag is SQL whatever it says; otherwise the text must start like
    a statement (a misspelt SELECT is a query with a syntax error, not prose).
    """
    if not _js_trim(sql):
        return False
    if _SQL_MARKED.search(answer):
        return True
    body = _LEADING_NOISE.sub("", sql, count=1)
    first = _FIRST_WORD.match(body)
    word = first.group(0).upper() if first else ""
    return word in _SQL_KEYWORDS or _within_one_edit(word, "SELECT")


def _at(seq, i):
    return seq[i] if 0 <= i < len(seq) else None


def _within_one_edit(a, b):
    """Levenshtein distance <= 1, or one swap of neighbouring letters."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (_at(a, i) == _at(b, i + 1) and _at(a, i + 1) == _at(b, i) and a[i + 2 :] == b[i + 2 :])
    return a[i + 1 :] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1 :]


# ---------- quoting and redaction (lib/providers/server/retry.ts, lib/redact.ts) ----------

_WS_RUN = re.compile(_S + "+")
_SECRET_SHAPES = (
    re.compile(r"\b(?:sk|fw|spt|sbx)[-_][A-Za-z0-9_-]{12,}\b", re.ASCII),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b", re.ASCII),
)
_BEARER = re.compile(r"(Bearer" + _S + r"+)[A-Za-z0-9._~+/-]{8,}=*", _I)


def _quote_one_line(text, limit=300):
    one_line = _js_trim(_WS_RUN.sub(" ", text))
    return _js_slice(one_line, limit - 1) + "\u2026" if _js_len(one_line) > limit else one_line


def _redact(text):
    for shape in _SECRET_SHAPES:
        text = shape.sub("[redacted]", text)
    return _BEARER.sub(lambda m: m.group(1) + "[redacted]", text)


# ---------- comparing results (lib/evaluation/compare.ts) ----------

DEFAULT_SETTINGS = {
    "orderMatters": False,
    "ignoreColumnOrder": True,
    "floatAbsTol": 1e-6,
    "floatRelTol": 1e-6,
    "nullEqualsNull": True,
    "ignoreColumnNames": True,
}
# Full permutations verified row by row before giving up; pairwise pruning keeps this rarely reached.
MAX_PERMUTATION_CHECKS = 500
# Above this many leftover row pairs the quadratic tolerant matching is skipped.
MAX_QUADRATIC_PAIRS = 4000000


def compare_results(gold, pred, settings=None):
    """{"match": bool, "reason": one line} for a gold and a predicted result, each {columns, rows}.

    Bag semantics unless settings["orderMatters"], columns matched up to permutation, numbers equal
    within floatAbsTol or floatRelTol, NULL equal to NULL when nullEqualsNull.
    """
    s = dict(DEFAULT_SETTINGS)
    if settings:
        s.update(settings)
    for key in ("floatAbsTol", "floatRelTol"):
        s[key] = float(s[key])
    gold_names = list(gold.get("columns") or [])
    pred_names = list(pred.get("columns") or [])
    gold_rows = [_js_value(list(row)) for row in gold.get("rows") or []]
    pred_rows = [_js_value(list(row)) for row in pred.get("rows") or []]
    match, reason = _compare(gold_names, gold_rows, pred_names, pred_rows, s)
    return {"match": match, "reason": reason}


def _compare(gold_names, gold_rows, pred_names, pred_rows, s):
    if not gold_rows and not pred_rows:
        return True, "both results are empty"

    gold_width = _width_of(gold_names, gold_rows)
    pred_width = _width_of(pred_names, pred_rows)
    if gold_width != pred_width:
        return False, "column count differs: expected %d, got %d" % (gold_width, pred_width)
    if gold_width == 0:
        if len(gold_rows) == len(pred_rows):
            return True, "results match"
        return False, _row_count_reason(len(gold_rows), len(pred_rows))

    gold_cols = _to_columns(gold_rows, gold_width)
    pred_cols = _to_columns(pred_rows, pred_width)
    same_row_count = len(gold_rows) == len(pred_rows)

    if not s["ignoreColumnOrder"]:
        if not s["ignoreColumnNames"]:
            for i in range(gold_width):
                if not _same_name(_at(gold_names, i), _at(pred_names, i)):
                    return False, "column %d is named %s, expected %s" % (i + 1, _quote(_at(pred_names, i)), _quote(_at(gold_names, i)))
        exact = _ExactIndex(gold_cols, pred_cols, gold_rows, s) if same_row_count and not s["orderMatters"] else None
        return _compare_rows_with(gold_rows, pred_rows, list(range(gold_width)), s, exact)

    def name_ok(g, p):
        return s["ignoreColumnNames"] or _same_name(_at(gold_names, g), _at(pred_names, p))

    if not same_row_count:
        # The rows cannot match; pick the most plausible column mapping only to explain the difference.
        mapping = _guess_mapping(gold_cols, pred_cols, name_ok, s)
        return _compare_rows_with(gold_rows, pred_rows, mapping, s)

    # Column-vector step: a pred column is a candidate for a gold column when their value multisets match.
    exact = _ExactIndex(gold_cols, pred_cols, gold_rows, s)
    gold_types = [_count_types(col) for col in gold_cols]
    pred_types = [_count_types(col) for col in pred_cols]
    sorted_gold = _lazy(lambda g: _sort_values(gold_cols[g]))
    sorted_pred = _lazy(lambda p: _sort_values(pred_cols[p]))

    def columns_match(g, p):
        # Sorted columns can only agree position by position when they hold as many values of each type.
        if gold_types[g] != pred_types[p]:
            return False
        if exact.sorted_gold(g) == exact.sorted_pred(p):
            return True
        return _sorted_equal(sorted_gold(g), sorted_pred(p), s)

    candidates = []
    unmatched = []
    for g in range(gold_width):
        found = [p for p in range(pred_width) if name_ok(g, p) and columns_match(g, p)]
        if not found:
            unmatched.append(g)
        candidates.append(found)
    if unmatched:
        # A few wrong values read best as row differences; a wholly different column reads best by name.
        mapping = _guess_mapping(gold_cols, pred_cols, name_ok, s, candidates)
        differing, diff = _count_differing_rows(gold_rows, pred_rows, mapping, s)
        g = unmatched[0]
        if differing == 0:
            # The values agree; only the names kept the columns apart.
            return False, "no column named %s (gold column %d) in the prediction" % (_quote(_at(gold_names, g)), g + 1)
        if differing <= max(3, len(gold_rows) // 10):
            # The multiset difference is already known (and not empty): explain it rather than recompute it.
            if diff is not None:
                return False, _difference_reason(diff[0], diff[1])
            return _compare_rows_with(gold_rows, pred_rows, mapping, s)
        name = _at(gold_names, g)
        label = " (%s)" % name if name else ""
        return False, "no column matches gold column %d%s" % (g + 1, label)

    found, fallback = _search_permutation(gold_rows, pred_rows, gold_cols, pred_cols, candidates, s, exact)
    if found is not None:
        reordered = any(p != g for g, p in enumerate(found))
        return True, "results match (columns in a different order)" if reordered else "results match"
    return _compare_rows_with(gold_rows, pred_rows, fallback, s, exact)


# ---------- row comparison under a fixed column mapping ----------


def _project(rows, mapping):
    return [[_at(row, p) for p in mapping] for row in rows]


def _compare_rows_with(gold_rows, pred_rows, mapping, s, exact=None):
    """mapping[g] = index of the pred column compared with gold column g."""

    def exact_same():
        return exact is not None and len(gold_rows) == len(pred_rows) and _same_exact_rows(exact, mapping)

    if not s["orderMatters"] and exact_same():
        return True, "results match"
    projected = _project(pred_rows, mapping)
    if s["orderMatters"] and len(gold_rows) == len(projected):
        first = _first_ordered_difference(gold_rows, projected, s)
        if first is None:
            return True, "results match"
        if exact_same():
            return False, "rows are in a different order"
        missing, extra = _multiset_difference(gold_rows, projected, s)
        if not missing and not extra:
            return False, "rows are in a different order"
        row, column = first
        return False, "row %d differs in column %d: %s vs %s" % (
            row + 1,
            column + 1,
            _format_value(gold_rows[row][column]),
            _format_value(projected[row][column]),
        )
    missing, extra = _multiset_difference(gold_rows, projected, s)
    if not missing and not extra:
        return True, "results match"
    return False, _difference_reason(missing, extra)


def _first_ordered_difference(gold, pred, s):
    for r, g in enumerate(gold):
        p = pred[r]
        for c in range(len(g)):
            if not _values_equal(g[c], _at(p, c), s):
                return r, c
    return None


def _multiset_difference(gold, pred, s):
    """Gold rows with no partner in pred ("missing") and pred rows with no partner in gold ("extra")."""
    # 1. Exact matches by key: the common case, linear time.
    counts = {}
    pred_left = []
    for row in pred:
        key = _row_key(row, s)
        if key is None:
            pred_left.append(row)
            continue
        bucket = counts.get(key)
        if bucket is not None:
            bucket.append(row)
        else:
            counts[key] = [row]
    gold_left = []
    for row in gold:
        key = _row_key(row, s)
        bucket = None if key is None else counts.get(key)
        if bucket:
            bucket.pop()
        else:
            gold_left.append(row)
    for bucket in counts.values():
        pred_left.extend(bucket)
    if not gold_left or not pred_left:
        return gold_left, pred_left

    # 2. Rows equal only within the numeric tolerance: merge the sorted leftovers.
    row_order = cmp_to_key(_compare_rows)
    gold_left.sort(key=row_order)
    pred_left.sort(key=row_order)
    missing = []
    extra = []
    i = j = 0
    while i < len(gold_left) and j < len(pred_left):
        if _rows_equal(gold_left[i], pred_left[j], s):
            i += 1
            j += 1
        elif _compare_rows(gold_left[i], pred_left[j]) < 0:
            missing.append(gold_left[i])
            i += 1
        else:
            extra.append(pred_left[j])
            j += 1
    missing.extend(gold_left[i:])
    extra.extend(pred_left[j:])

    # 3. Tolerance can reorder near-equal rows; pair whatever is left greedily.
    if missing and extra and len(missing) * len(extra) <= MAX_QUADRATIC_PAIRS:
        used = [False] * len(extra)
        still_missing = []
        for row in missing:
            k = next((idx for idx, candidate in enumerate(extra) if not used[idx] and _rows_equal(row, candidate, s)), -1)
            if k == -1:
                still_missing.append(row)
            else:
                used[k] = True
        return still_missing, [row for idx, row in enumerate(extra) if not used[idx]]
    return missing, extra


def _difference_reason(missing, extra):
    parts = []
    if missing:
        parts.append("%d %s missing" % (len(missing), "row" if len(missing) == 1 else "rows"))
    if extra:
        parts.append("%d extra %s" % (len(extra), "row" if len(extra) == 1 else "rows"))
    reason = ", ".join(parts)
    if missing and extra:
        g = missing[0]
        p = extra[0]
        differing = [c for c, v in enumerate(g) if _compare_values(v, _at(p, c)) != 0]
        if len(differing) == 1:
            column = differing[0]
            reason += " (e.g. column %d: %s vs %s)" % (column + 1, _format_value(g[column]), _format_value(_at(p, column)))
        else:
            reason += " (e.g. expected %s, got %s)" % (_format_row(g), _format_row(p))
    elif missing:
        reason += " (e.g. %s)" % _format_row(missing[0])
    elif extra:
        reason += " (e.g. %s)" % _format_row(extra[0])
    return reason


def _row_count_reason(expected, got):
    if expected > got:
        return "%d %s missing" % (expected - got, "row" if expected - got == 1 else "rows")
    return "%d extra %s" % (got - expected, "row" if got - expected == 1 else "rows")


# ---------- column permutation search ----------


def _search_permutation(gold_rows, pred_rows, gold_cols, pred_cols, candidates, s, exact):
    width = len(gold_cols)
    # Identical pred columns are interchangeable: only try them in index order.
    twin_of = []
    for p, col in enumerate(pred_cols):
        twin = p
        for q in range(p - 1, -1, -1):
            if _columns_identical(pred_cols[q], col):
                twin = q
                break
        twin_of.append(twin)
    ambiguous = any(len(found) > 1 for found in candidates)
    # Gold columns with fewest candidates first prune the search soonest.
    order = sorted(range(width), key=lambda g: len(candidates[g]))
    pair_cache = {}

    def pair_ok(g1, p1, g2, p2):
        key = (g1, p1, g2, p2)
        ok = pair_cache.get(key)
        if ok is None:
            ok = _same_exact_pairs(exact, g1, p1, g2, p2)
            if not ok and not (exact.exact_only(g1, p1) and exact.exact_only(g2, p2)):
                gold2 = [[v, gold_cols[g2][r]] for r, v in enumerate(gold_cols[g1])]
                pred2 = [[v, pred_cols[p2][r]] for r, v in enumerate(pred_cols[p1])]
                missing, extra = _multiset_difference(gold2, pred2, s)
                ok = not missing and not extra
            pair_cache[key] = ok
        return ok

    mapping = [-1] * width
    used = [False] * len(pred_cols)
    state = {"checks": 0, "first": None, "found": None}

    def visit(depth):
        if depth == width:
            if state["first"] is None:
                state["first"] = list(mapping)
            state["checks"] += 1
            if _rows_match_with(gold_rows, pred_rows, mapping, s, exact):
                state["found"] = list(mapping)
                return True
            return state["checks"] >= MAX_PERMUTATION_CHECKS
        g = order[depth]
        # Prefer the same position when it is a candidate: the natural reading of the result.
        choices = [g] + [p for p in candidates[g] if p != g] if g in candidates[g] else candidates[g]
        for p in choices:
            if used[p]:
                continue
            if twin_of[p] != p and not used[twin_of[p]]:
                continue
            consistent = True
            # Pairwise projections prune mappings that match column by column but not row by row.
            if ambiguous:
                d = 0
                while d < depth and consistent:
                    g2 = order[d]
                    consistent = pair_ok(g2, mapping[g2], g, p)
                    d += 1
            if not consistent:
                continue
            mapping[g] = p
            used[p] = True
            if visit(depth + 1):
                return True
            used[p] = False
            mapping[g] = -1
        return False

    visit(0)
    found = state["found"]
    if found is not None:
        return found, found
    if state["first"] is not None:
        return None, state["first"]
    return None, _greedy_mapping(candidates, len(pred_cols))


def _greedy_mapping(candidates, pred_width):
    used = set()
    mapping = []
    for found in candidates:
        p = next((c for c in found if c not in used), None)
        if p is not None:
            used.add(p)
        mapping.append(-1 if p is None else p)
    free = [p for p in range(pred_width) if p not in used]
    out = []
    for p in mapping:
        if p == -1:
            out.append(free.pop(0) if free else 0)
        else:
            out.append(p)
    return out


def _count_differing_rows(gold_rows, pred_rows, mapping, s):
    """Rows that differ under a mapping, with the multiset difference when order does not matter."""
    projected = _project(pred_rows, mapping)
    if s["orderMatters"]:
        return sum(1 for r, row in enumerate(gold_rows) if not _rows_equal(row, projected[r], s)), None
    missing, extra = _multiset_difference(gold_rows, projected, s)
    return max(len(missing), len(extra)), (missing, extra)


def _rows_match_with(gold_rows, pred_rows, mapping, s, exact):
    """_compare_rows_with(...) match, without building the explanation of a mismatch."""
    if s["orderMatters"] and len(gold_rows) == len(pred_rows):
        width = len(mapping)
        for r, g in enumerate(gold_rows):
            if len(g) > width:
                return False
            row = pred_rows[r]
            for c in range(len(g)):
                if not _values_equal(g[c], _at(row, mapping[c]), s):
                    return False
        return True
    if len(gold_rows) == len(pred_rows):
        if _same_exact_rows(exact, mapping):
            return True
        # Where equal means identical, the ids have decided.
        if exact.gold_regular and all(exact.exact_only(g, p) for g, p in enumerate(mapping)):
            return False
    return _compare_rows_with(gold_rows, pred_rows, mapping, s)[0]


def _guess_mapping(gold_cols, pred_cols, name_ok, s, candidates=None):
    """Pairs each gold column with the pred column sharing most distinct values. Only explains a mismatch."""
    mapping = [-1] * len(gold_cols)
    used = set()
    # Columns whose values already match keep their candidate (same position first).
    for g, found in enumerate(candidates or []):
        p = g if g in found and g not in used else next((c for c in found if c not in used), None)
        if p is not None:
            mapping[g] = p
            used.add(p)
    open_gold = [g for g, p in enumerate(mapping) if p == -1]
    open_pred = [p for p in range(len(pred_cols)) if p not in used]
    digits = _key_digits(s)
    gold_sets = {g: {_value_key(v, digits) for v in gold_cols[g]} for g in open_gold}
    pred_sets = {p: {_value_key(v, digits) for v in pred_cols[p]} for p in open_pred}
    scored = []
    for g in open_gold:
        gold_set = gold_sets[g]
        for p in open_pred:
            pred_set = pred_sets[p]
            shared = sum(1 for k in gold_set if k in pred_set)
            union = len(gold_set) + len(pred_set) - shared
            value = ((1.0 if union == 0 else shared / union) + (0.001 if name_ok(g, p) else 0.0)) + (0.0001 if g == p else 0.0)
            scored.append((g, p, value))
    scored.sort(key=lambda item: -item[2])
    for g, p, _ in scored:
        if mapping[g] != -1 or p in used:
            continue
        mapping[g] = p
        used.add(p)
    return mapping


# ---------- values ----------


def _kind(v):
    """typeof, with null apart."""
    if v is None:
        return "null"
    if v is True or v is False:
        return "boolean"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    return "object"


def _values_equal(a, b, s):
    if a is None or b is None:
        return a is None and b is None and s["nullEqualsNull"]
    kind = _kind(a)
    if kind == "number" and _kind(b) == "number":
        if a == b:
            return True
        diff = abs(a - b)
        return diff <= s["floatAbsTol"] or diff <= s["floatRelTol"] * max(abs(a), abs(b))
    if kind != _kind(b):
        return False
    if kind != "object":
        return a == b
    if isinstance(a, list) or isinstance(b, list):
        if not isinstance(a, list) or not isinstance(b, list) or len(a) != len(b):
            return False
        return all(_values_equal(x, y, s) for x, y in zip(a, b))
    if len(a) != len(b):
        return False
    return all(k in b and _values_equal(a[k], b[k], s) for k in a)


def _rows_equal(a, b, s):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if not _values_equal(x, y, s):
            return False
    return True


def _exact_key(v):
    # Equal keys exactly when JSON.stringify gives equal text.
    if v is None:
        return None
    if v is True or v is False:
        return (1, v)
    if isinstance(v, float):
        return (2, v) if math.isfinite(v) else None
    if isinstance(v, str):
        return (3, v)
    return (4, _js_stringify(v))


def _row_key(row, s):
    """Exact-match key of a row, or None when the row can only be matched value by value (NULL != NULL)."""
    if not s["nullEqualsNull"] and any(v is None for v in row):
        return None
    return tuple(_exact_key(v) for v in row)


def _key_digits(s):
    return max(0, min(15, _js_round(-math.log10(max(s["floatAbsTol"], 1e-15)))))


def _value_key(v, digits):
    if isinstance(v, float):
        # Coarse rounding: only used to guess a column mapping for explanations.
        return "n" + _js_to_fixed(v, digits)
    return _js_stringify(v)


def _type_rank(v):
    if v is None:
        return 0
    if v is True or v is False:
        return 1
    if isinstance(v, float):
        return 2
    if isinstance(v, str):
        return 3
    return 4


def _compare_values(a, b):
    """A total order over JSON values: NULL < booleans < numbers < strings < arrays/objects."""
    ra = _type_rank(a)
    rb = _type_rank(b)
    if ra != rb:
        return ra - rb
    if a is None or b is None:
        return 0
    if ra == 2:
        return a - b
    if ra == 3:
        return _str_cmp(a, b)
    if ra == 1:
        return int(a) - int(b)
    return _str_cmp(_js_stringify(a), _js_stringify(b))


def _compare_rows(a, b):
    for i in range(len(a)):
        c = _compare_values(a[i], _at(b, i))
        if c != 0:
            return c
    return 0


def _sort_values(col):
    """The column sorted by _compare_values (each type sorted on its own)."""
    nulls = falses = trues = 0
    numbers = []
    strings = []
    objects = []
    for v in col:
        if v is None:
            nulls += 1
        elif v is True:
            trues += 1
        elif v is False:
            falses += 1
        elif isinstance(v, float):
            numbers.append(v)
        elif isinstance(v, str):
            strings.append(v)
        else:
            objects.append(v)
    numbers.sort()
    _sort_strings(strings)
    objects.sort(key=cmp_to_key(_compare_values))
    return [None] * nulls + [False] * falses + [True] * trues + numbers + strings + objects


def _sorted_equal(a, b, s):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if not _values_equal(x, y, s):
            return False
    return True


def _columns_identical(a, b):
    for i in range(len(a)):
        if _compare_values(a[i], _at(b, i)) != 0:
            return False
    return True


# ---------- exact-value fast paths ----------
# Each value is interned to an integer id (equal ids: the same value, so equal under any tolerance).
# An id check only ever confirms a match; when ids differ the tolerant comparison decides.


class _ExactIndex:
    def __init__(self, gold_cols, pred_cols, gold_rows, s):
        self.gold_cols = gold_cols
        self.pred_cols = pred_cols
        self.s = s
        primitives = {}
        objects = {}
        counter = [1]

        def fresh():
            counter[0] += 1
            return counter[0] - 1

        def id_of(v):
            # NULL never equals NULL (nor a value holding one) under nullEqualsNull = false: a fresh id each time.
            if v is None:
                return 0 if s["nullEqualsNull"] else fresh()
            if isinstance(v, (list, dict)):
                if not s["nullEqualsNull"]:
                    return fresh()
                key = _js_stringify(v)
                found = objects.get(key)
                if found is None:
                    found = objects[key] = fresh()
                return found
            key = (_kind(v), v)
            found = primitives.get(key)
            if found is None:
                found = primitives[key] = fresh()
            return found

        self.gold_ids = [[id_of(v) for v in col] for col in gold_cols]
        self.pred_ids = [[id_of(v) for v in col] for col in pred_cols]
        self.size = counter[0]
        width = len(gold_cols)
        # Every gold row holds exactly one value per column (a ragged row never matches exactly).
        self.gold_regular = all(len(row) == width for row in gold_rows)
        self._sorted_gold = {}
        self._sorted_pred = {}
        self._exact_only = {}

    def sorted_gold(self, g):
        if g not in self._sorted_gold:
            self._sorted_gold[g] = sorted(self.gold_ids[g])
        return self._sorted_gold[g]

    def sorted_pred(self, p):
        if p not in self._sorted_pred:
            self._sorted_pred[p] = sorted(self.pred_ids[p])
        return self._sorted_pred[p]

    def exact_only(self, g, p):
        """Values of gold column g and pred column p are equal only when identical: the ids decide."""
        key = (g, p)
        if key not in self._exact_only:
            self._exact_only[key] = _values_distinct_under_tolerance(self.gold_cols[g], self.pred_cols[p], self.s)
        return self._exact_only[key]


def _values_distinct_under_tolerance(a, b, s):
    """No arrays or objects, and no two distinct numbers within the tolerance (neighbours in sorted order suffice)."""
    numbers = []
    for col in (a, b):
        for v in col:
            if isinstance(v, float):
                numbers.append(v)
            elif isinstance(v, (list, dict)):
                return False
    numbers.sort()
    for i in range(1, len(numbers)):
        if numbers[i] != numbers[i - 1] and _values_equal(numbers[i - 1], numbers[i], s):
            return False
    return True


def _same_exact_pairs(exact, g1, p1, g2, p2):
    """Whether gold columns (g1, g2) and pred columns (p1, p2) hold exactly the same multiset of value pairs."""
    m = exact.size
    if m * m > MAX_SAFE_INTEGER:
        return False
    gold = sorted(a * m + b for a, b in zip(exact.gold_ids[g1], exact.gold_ids[g2]))
    pred = sorted(a * m + b for a, b in zip(exact.pred_ids[p1], exact.pred_ids[p2]))
    return gold == pred


def _same_exact_rows(exact, mapping):
    """Whether gold rows and pred rows projected through mapping are exactly the same multiset."""
    if not exact.gold_regular or not mapping:
        return False
    if any(p < 0 or p >= len(exact.pred_ids) for p in mapping):
        return False
    gold = exact.gold_ids[0]
    pred = exact.pred_ids[mapping[0]]
    # Row codes grow one column at a time: (code so far, next id) is interned to a new code.
    for c in range(1, len(mapping)):
        codes = {}
        bound = max(exact.size, 2 * len(gold) + 1)
        if bound * exact.size > MAX_SAFE_INTEGER:
            return False

        def combine(prev, ids):
            out = []
            for code, value in zip(prev, ids):
                key = (code, value)
                found = codes.get(key)
                if found is None:
                    found = codes[key] = len(codes)
                out.append(found)
            return out

        gold = combine(gold, exact.gold_ids[c])
        pred = combine(pred, exact.pred_ids[mapping[c]])
    return sorted(gold) == sorted(pred)


def _count_types(col):
    counts = [0, 0, 0, 0, 0]
    for v in col:
        counts[_type_rank(v)] += 1
    return counts


def _lazy(make):
    items = {}

    def get(i):
        if i not in items:
            items[i] = make(i)
        return items[i]

    return get


# ---------- helpers ----------


def _width_of(names, rows):
    if names:
        return len(names)
    return len(rows[0]) if rows else 0


def _to_columns(rows, width):
    return [[_at(row, c) for row in rows] for c in range(width)]


def _same_name(a, b):
    return ("" if a is None else str(a)).lower() == ("" if b is None else str(b)).lower()


def _quote(name):
    return _js_stringify("" if name is None else name)


def _format_value(v):
    if v is None:
        return "NULL"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return _js_num(v)
    text = _js_stringify(v)
    return _js_slice(text, 57) + "..." if _js_len(text) > 60 else text


def _format_row(row):
    text = "(" + ", ".join(_format_value(v) for v in row) + ")"
    return _js_slice(text, 117) + "..." if _js_len(text) > 120 else text


if __name__ == "__main__":
    # A quick check of the address and token: python3 sandpiper_reward.py
    answer = run_sql("SELECT 1 AS ok")
    print("The sandbox of %s answered through %s: %s" % (LABEL, studio_config()[0], answer["rows"]))
`;

/** test_sandpiper_reward.py: the eval-protocol entry point around score(). */
export const EVAL_PROTOCOL_TEST_PY = String.raw`"""The eval-protocol side of the Sandpiper reward: one rollout in, one score out.

The scoring itself is sandpiper_reward.score (standard library only); this file only wires it into
@evaluation_test so Fireworks can run it for each rollout of a reinforcement fine-tuning job.
"""

import os

from eval_protocol.models import EvaluateResult, EvaluationRow
from eval_protocol.pytest import SingleTurnRolloutProcessor, evaluation_test

from sandpiper_reward import SandpiperUnavailable, score

# Fireworks feeds the job's dataset rows; to try the evaluator locally, point SANDPIPER_DATASET at
# an RFT file exported by the studio (the rollouts then need a model of your own).
LOCAL_DATASET = os.environ.get("SANDPIPER_DATASET")


def _text(content):
    """A message's content as text: a string, or the text parts of a list of content parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        text = part.get("text") if isinstance(part, dict) else getattr(part, "text", None)
        if isinstance(text, str):
            parts.append(text)
    return "".join(parts)


def _row_field(row, name):
    """A field of the dataset line: extra fields land on the row, or in its input metadata."""
    value = getattr(row, name, None)
    if value is None:
        value = (getattr(row, "model_extra", None) or {}).get(name)
    if value is None:
        metadata = getattr(row, "input_metadata", None)
        value = (getattr(metadata, "dataset_info", None) or {}).get(name)
    return value


def _flag(value):
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


@evaluation_test(
    input_dataset=[LOCAL_DATASET] if LOCAL_DATASET else None,
    # No "model" here: the trainer supplies the policy model being optimised.
    completion_params=[{"temperature": 0.7, "max_tokens": 4096}],
    rollout_processor=SingleTurnRolloutProcessor(),
    mode="pointwise",
)
def test_sql_reward(row: EvaluationRow) -> EvaluationRow:
    answer = next((m for m in reversed(row.messages) if m.role == "assistant"), None)
    if answer is None:
        row.evaluation_result = EvaluateResult(score=0.0, reason="The rollout has no assistant message to score.", is_score_valid=False)
        return row
    try:
        verdict = score(_text(answer.content), _row_field(row, "ground_truth"), _flag(_row_field(row, "order_matters")))
    except SandpiperUnavailable as unavailable:
        # The studio could not be asked: no verdict on the model, so the score must not count.
        row.evaluation_result = EvaluateResult(score=0.0, reason=str(unavailable), is_score_valid=False)
        return row
    row.evaluation_result = EvaluateResult(score=verdict["score"], reason=verdict["reason"], is_score_valid=True)
    return row
`;
