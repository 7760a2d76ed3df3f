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

export interface ColumnModel {
  name: string;
  /** DuckDB type name as declared, upper case (e.g. "BIGINT", "VARCHAR", "DECIMAL(10,2)"). */
  type: string;
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
  description?: string | null;
}

export interface ForeignKeyModel {
  columns: string[];
  refTable: string;
  refColumns: string[];
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
  dialect: "duckdb";
  tables: TableModel[];
}

export interface SchemaWarning {
  message: string;
  line?: number;
}
