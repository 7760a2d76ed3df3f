// What people may change about a schema without re-importing it: descriptions, semantic types,
// the sensitive flag, and decisions on suggested foreign keys. Shared by the glossary service and
// its page (input rules and labels only; server/glossary.ts stores them).
import { z } from "zod";
import type { SemanticType } from "@/lib/schema/model";

export const SEMANTIC_TYPES = [
  "id", "name", "code", "country", "city", "email", "text", "category", "number", "money", "latitude", "longitude", "date", "timestamp", "boolean", "other",
] as const satisfies readonly SemanticType[];

export const SEMANTIC_TYPE_LABELS: Record<SemanticType, string> = {
  id: "Identifier",
  name: "Name (person, company, place)",
  code: "Code (IATA, ISO, SKU…)",
  country: "Country",
  city: "City",
  email: "Email address",
  text: "Free text",
  category: "Category",
  number: "Number",
  money: "Currency amount",
  latitude: "Latitude",
  longitude: "Longitude",
  date: "Date",
  timestamp: "Timestamp",
  boolean: "Yes / no",
  other: "Other",
};

const name = z.string().trim().min(1, "Name the table.").max(200);

export const glossaryEntryInput = z
  .object({
    table: name,
    /** Absent or empty: the entry describes the table itself. */
    column: z.string().trim().max(200).optional(),
    /** Empty or null clears the description. */
    description: z.string().max(2000, "Keep descriptions under 2,000 characters.").nullable().optional(),
    /** Null goes back to the inferred type. */
    semanticType: z.enum(SEMANTIC_TYPES).nullable().optional(),
    sensitive: z.boolean().optional(),
  })
  .refine((v) => v.description !== undefined || v.semanticType !== undefined || v.sensitive !== undefined, { message: "Send a description, a semantic type or the sensitive flag to change." });

export type GlossaryEntryInput = z.infer<typeof glossaryEntryInput>;

export const foreignKeyDecisionInput = z.object({
  table: name,
  columns: z.array(z.string().trim().min(1).max(200)).min(1, "Name the key's columns.").max(16),
  refTable: name,
  refColumns: z.array(z.string().trim().min(1).max(200)).min(1, "Name the referenced columns.").max(16),
  /** "suggested" withdraws an earlier decision. */
  status: z.enum(["confirmed", "dropped", "suggested"]),
});

export type ForeignKeyDecisionInput = z.infer<typeof foreignKeyDecisionInput>;
