import "server-only";

// Small typed accessors for the JSON syntax trees the SQL parsers return, so the DDL readers can
// walk them without casting.

export type AstValue = string | number | boolean | null | undefined | AstNode | AstValue[];
export interface AstNode {
  [key: string]: AstValue;
}

export function node(v: AstValue): AstNode | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined;
}

export function list(v: AstValue): AstValue[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: AstValue): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function num(v: AstValue): number | undefined {
  return typeof v === "number" ? v : undefined;
}

/** The single key of a wrapped node ({ CreateStmt: {...} }) and its body. */
export function unwrap(v: AstValue): [string, AstNode] | undefined {
  const n = node(v);
  if (!n) return undefined;
  const keys = Object.keys(n);
  if (keys.length !== 1) return undefined;
  const body = node(n[keys[0] as string]);
  return body ? [keys[0] as string, body] : undefined;
}
