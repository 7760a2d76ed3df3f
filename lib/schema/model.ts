// The studio's own description of a database schema. Every stage (sandbox, queries, prompts,
// evaluation) reads this shape; ingestion (DDL today, more sources later) produces it.

export type SemanticType =
  | "id"
  | "name"
  | "code"
  | "country"
  | "city"
  | "email"
  | "text"
  | "category"
  | "number"
  | "money"
  | "latitude"
  | "longitude"
  | "date"
  | "timestamp"
  | "boolean"
  | "other";

/** Where a schema came from. */
export type SourceDialect = "duckdb" | "postgres" | "mysql" | "sqlite";
export type SchemaSource = "ddl" | "duckdb_file" | "sqlite_file" | "live_postgres" | "live_mysql" | "describe";

/** A source type mapped to a small dialect-free vocabulary. */
export type CanonicalType = "integer" | "decimal" | "float" | "text" | "boolean" | "date" | "timestamp" | "time" | "interval" | "json" | "uuid" | "binary" | "enum" | "other";

export interface ColumnModel {
  name: string;
  /** The DuckDB type the sandbox uses, upper case (e.g. "BIGINT", "VARCHAR", "DECIMAL(10,2)"). */
  type: string;
  /** The type exactly as the source declared it (e.g. "character varying(64)", "tinyint(1)"). Defaults to `type`. */
  originalType?: string;
  canonicalType?: CanonicalType;
  /** Labels of an enum type (CREATE TYPE … AS ENUM, MySQL ENUM(…)). */
  enumValues?: string[];
  nullable: boolean;
  /** Part of the table's primary key. */
  primaryKey: boolean;
  /** Has a single-column UNIQUE constraint (primary keys are unique too, but not flagged here). */
  unique: boolean;
  /** Raw CHECK expressions that mention only this column, as DuckDB prints them. */
  checks: string[];
  /** Values allowed by a CHECK (col IN (...)) constraint, when one exists. */
  allowedValues?: string[];
  defaultValue?: string | null;
  semanticType: SemanticType;
  /** "user" when someone set the semantic type in the glossary; inferred otherwise. */
  semanticTypeSource?: "inferred" | "user";
  description?: string | null;
  /** Kept out of prompts and exports. */
  sensitive?: boolean;
}

export interface ForeignKeyModel {
  columns: string[];
  refTable: string;
  refColumns: string[];
  /** Declared by the source, or inferred from naming (e.g. airline_id → airlines.airline_id). Default: declared. */
  origin?: "declared" | "inferred";
  /** 0–1, for inferred keys. */
  confidence?: number;
  /** Inferred keys start as suggested; a user confirms or drops them. Declared keys are confirmed. */
  status?: "suggested" | "confirmed" | "dropped";
}

export interface TableModel {
  name: string;
  columns: ColumnModel[];
  primaryKey: string[];
  /** Multi-column UNIQUE constraints (single-column ones are on the column). */
  uniqueKeys: string[][];
  foreignKeys: ForeignKeyModel[];
  /** Table-level CHECK expressions that span several columns. */
  checks: string[];
  description?: string | null;
}

export interface SchemaModel {
  dialect: SourceDialect;
  tables: TableModel[];
}

/** What a source parser returns: the model, and everything it did not understand or chose to skip. */
export interface ParsedSchema {
  model: SchemaModel;
  warnings: SchemaWarning[];
}

/**
 * The schema the sandbox, queries and prompts work from: declared and confirmed foreign keys only
 * (suggested and dropped guesses stay in the stored model for the user to decide on).
 */
export function toEffectiveSchema(model: SchemaModel): SchemaModel {
  return {
    ...model,
    tables: model.tables.map((t) => ({
      ...t,
      foreignKeys: t.foreignKeys.filter((fk) => (fk.origin ?? "declared") === "declared" ? fk.status !== "dropped" : fk.status === "confirmed"),
    })),
  };
}

export interface SchemaWarning {
  message: string;
  line?: number;
}
