import "server-only";
import { detectDialect } from "@/lib/schema/detect-dialect";
import { validateSchemaText } from "@/lib/schema/input";
import type { ParsedSchema, SourceDialect } from "@/lib/schema/model";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { parseMysqlDdl } from "@/lib/schema/server/parse-ddl-mysql";
import { parsePostgresDdl } from "@/lib/schema/server/parse-ddl-postgres";
import { parseSqliteDdl } from "@/lib/schema/server/parse-ddl-sqlite";

// One entry point for DDL in any supported dialect. Every parser validates its input, refuses
// duplicate tables and schemas without tables, and finishes the model the same way
// (lib/schema/ddl-finish.ts); this only picks the parser.

export const DDL_DIALECTS: readonly SourceDialect[] = ["postgres", "mysql", "sqlite", "duckdb"];

/** Parses DDL of the given dialect ("auto": guessed from the text) into the studio's model. */
export async function parseDdl(input: string | Uint8Array, dialect: SourceDialect | "auto" = "auto"): Promise<ParsedSchema> {
  const ddl = validateSchemaText(input);
  const chosen = dialect === "auto" ? detectDialect(ddl) : dialect;
  let parsed: ParsedSchema;
  switch (chosen) {
    case "postgres":
      parsed = await parsePostgresDdl(ddl);
      break;
    case "mysql":
      parsed = await parseMysqlDdl(ddl);
      break;
    case "sqlite":
      parsed = await parseSqliteDdl(ddl);
      break;
    default:
      parsed = await parseDuckdbDdl(ddl);
  }
  parsed.model.dialect = chosen;
  return parsed;
}
