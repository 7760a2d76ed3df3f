import "server-only";
import { collectComparedConstants, collectTableAliases, resolveConstants, type ComparedConstant, type ConstantValue } from "@/lib/queries/constants";
import { summarizeParseTree } from "@/lib/queries/parse-tree";
import { parseSqlTree } from "@/lib/queries/server/analyze";
import type { SchemaModel } from "@/lib/schema/model";

/** Enough queries to cover a project's filters; parsing is per query, so the work stays bounded. */
export const DEFAULT_CONSTANT_QUERY_LIMIT = 2_000;

/** Constants of up to `limit` (default 2000) SQL texts, resolved against the model. Unparseable SQL is skipped. */
export async function collectQueryConstants(
  sqls: string[],
  model: SchemaModel,
  limit: number = DEFAULT_CONSTANT_QUERY_LIMIT,
): Promise<Record<string, ConstantValue[]>> {
  const texts = [...new Set(sqls.map((sql) => sql.trim()).filter((sql) => sql !== ""))].slice(0, Math.max(0, limit));
  const found: { constants: ComparedConstant[]; tables: string[]; aliases: Record<string, string> }[] = [];
  for (const sql of texts) {
    const parsed = await parseSqlTree(sql);
    if (!parsed.ok) continue;
    const constants = collectComparedConstants(parsed.node);
    if (constants.length === 0) continue;
    // The query's own tables (CTE names excluded) decide which table an unqualified column belongs to.
    const tables = summarizeParseTree(parsed.node).features.tables;
    found.push({ constants, tables, aliases: collectTableAliases(parsed.node) });
  }
  return resolveConstants(found, model);
}
