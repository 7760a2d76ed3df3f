// Reads the simple shapes of CHECK expressions as DuckDB prints them, e.g.
//   (active IN ('Y', 'N'))      → allowed values
//   ((stops >= 0) AND (stops <= 4)), (stops BETWEEN 0 AND 4)  → numeric bounds
// Anything else is kept as raw text; the sandbox filters generated rows through the real
// expression, so an unparsed check is still enforced, only less efficiently.

export interface NumericBounds {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

function unwrap(expr: string): string {
  let e = expr.trim();
  while (e.startsWith("(") && e.endsWith(")") && balanced(e.slice(1, -1))) e = e.slice(1, -1).trim();
  return e;
}

function balanced(s: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === quote) {
        if (s[i + 1] === quote) i++;
        else quote = null;
      }
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") {
      depth--;
      if (depth < 0) return false;
    }
  }
  return depth === 0 && quote === null;
}

function columnPattern(column: string): string {
  const esc = column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return `(?:"${esc.replace(/"/g, '""')}"|${esc})`;
}

/** Splits a top-level list on a separator keyword or comma, ignoring nested parens and strings. */
function splitTopLevel(s: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === quote) {
        if (s[i + 1] === quote) i++;
        else quote = null;
      }
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (depth === 0) {
      separator.lastIndex = i;
      const m = separator.exec(s);
      if (m && m.index === i) {
        parts.push(s.slice(last, i));
        last = i + m[0].length;
        i = last - 1;
      }
    }
  }
  parts.push(s.slice(last));
  return parts.map((p) => p.trim());
}

function parseLiteral(text: string): string | null {
  const t = unwrap(text.replace(/^CAST\((.*) AS [A-Z0-9_(), ]+\)$/i, "$1"));
  const str = /^'((?:[^']|'')*)'$/.exec(t);
  if (str) return (str[1] as string).replace(/''/g, "'");
  if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return t;
  return null;
}

function parseNumber(text: string): number | null {
  const lit = parseLiteral(text);
  if (lit === null) return null;
  const n = Number(lit);
  return Number.isFinite(n) ? n : null;
}

/** Values allowed by `col IN (...)` or `col = 'x' OR col = 'y'`, or undefined for other shapes. */
export function parseAllowedValues(expression: string, column: string): string[] | undefined {
  const e = unwrap(expression);
  const col = columnPattern(column);
  const inMatch = new RegExp(`^${col}\\s+IN\\s*\\((.*)\\)$`, "is").exec(e);
  if (inMatch) {
    const values = splitTopLevel(inMatch[1] as string, /,/y).map(parseLiteral);
    return values.every((v): v is string => v !== null) && values.length > 0 ? values : undefined;
  }
  const values: string[] = [];
  for (const part of splitTopLevel(e, /\s+OR\s+/iy)) {
    const m = new RegExp(`^${col}\\s*=\\s*(.+)$`, "is").exec(unwrap(part));
    const v = m ? parseLiteral(m[1] as string) : null;
    if (v === null) return undefined;
    values.push(v);
  }
  return values;
}

/** Numeric bounds implied by simple comparisons of the column with constants. */
export function parseNumericBounds(expressions: readonly string[], column: string): NumericBounds {
  const bounds: NumericBounds = {};
  const col = columnPattern(column);
  const setMin = (v: number, exclusive: boolean) => {
    if (bounds.min === undefined || v > bounds.min || (v === bounds.min && exclusive)) {
      bounds.min = v;
      bounds.minExclusive = exclusive;
    }
  };
  const setMax = (v: number, exclusive: boolean) => {
    if (bounds.max === undefined || v < bounds.max || (v === bounds.max && exclusive)) {
      bounds.max = v;
      bounds.maxExclusive = exclusive;
    }
  };
  const flip: Record<string, string> = { ">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=" };
  for (const expression of expressions) {
    const whole = unwrap(expression);
    const parts = new RegExp(`^${col}\\s+BETWEEN\\s`, "i").test(whole) ? [whole] : splitTopLevel(whole, /\s+AND\s+/iy);
    for (const part of parts) {
      const p = unwrap(part);
      const between = new RegExp(`^${col}\\s+BETWEEN\\s+(.+?)\\s+AND\\s+(.+)$`, "is").exec(p);
      if (between) {
        const lo = parseNumber(between[1] as string);
        const hi = parseNumber(between[2] as string);
        if (lo !== null) setMin(lo, false);
        if (hi !== null) setMax(hi, false);
        continue;
      }
      let m = new RegExp(`^${col}\\s*(>=|<=|>|<|=)\\s*(.+)$`, "is").exec(p);
      let op: string | undefined;
      let value: number | null = null;
      if (m) {
        op = m[1];
        value = parseNumber(m[2] as string);
      } else {
        m = new RegExp(`^(.+?)\\s*(>=|<=|>|<|=)\\s*${col}$`, "is").exec(p);
        if (m) {
          op = flip[m[2] as string];
          value = parseNumber(m[1] as string);
        }
      }
      if (op === undefined || value === null) continue;
      if (op === ">" || op === ">=") setMin(value, op === ">");
      else if (op === "<" || op === "<=") setMax(value, op === "<");
      else {
        setMin(value, false);
        setMax(value, false);
      }
    }
  }
  return bounds;
}

/** Labels of an inline ENUM type as DuckDB prints it: ENUM('a', 'b'). */
export function parseEnumLabels(type: string): string[] | undefined {
  const m = /^ENUM\s*\((.*)\)$/is.exec(type.trim());
  if (!m) return undefined;
  const labels = splitTopLevel(m[1] as string, /,/y).map(parseLiteral);
  return labels.every((l): l is string => l !== null) ? labels : undefined;
}
