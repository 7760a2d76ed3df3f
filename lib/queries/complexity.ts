// SQL complexity levels after OmniSQL's taxonomy (simple / moderate / complex / highly complex),
// decided from parsed structure only so the same query always lands on the same level.
import type { QueryFeatures } from "@/lib/queries/features";

export type Complexity = "simple" | "moderate" | "complex" | "highly_complex";

export const COMPLEXITIES: readonly Complexity[] = ["simple", "moderate", "complex", "highly_complex"];

/** Traits that make a query "complex"; three or more of them together make it "highly complex". */
export function listComplexTraits(f: QueryFeatures): string[] {
  const traits: string[] = [];
  if (f.maxSubqueryDepth >= 2) traits.push("nested subqueries");
  if (f.joinCount >= 2) traits.push("multiple joins");
  if (f.selfJoin) traits.push("self join");
  if (f.windowFunctions > 0) traits.push("window function");
  if (f.cteCount > 0) traits.push("CTE");
  if (f.groupBy && f.aggregateCount >= 2) traits.push("multiple aggregates with GROUP BY");
  if (f.setOperations.length > 0) traits.push("set operation");
  return traits;
}

function hasModerateTrait(f: QueryFeatures): boolean {
  return (
    f.joinCount > 0 ||
    f.subqueryCount > 0 ||
    f.groupBy ||
    f.having ||
    f.inList ||
    f.between ||
    f.like ||
    f.caseWhen
  );
}

export function classifyComplexity(f: QueryFeatures): Complexity {
  const traits = listComplexTraits(f);
  const setOpWithOthers = f.setOperations.length > 0 && (traits.length > 1 || f.subqueryCount > 0 || f.groupBy || f.joinCount > 0);
  if (
    f.cteCount >= 2 ||
    f.recursiveCte ||
    f.windowFunctions >= 2 ||
    f.setOperations.length >= 2 ||
    f.maxSubqueryDepth >= 3 ||
    setOpWithOthers ||
    traits.length >= 3
  ) {
    return "highly_complex";
  }
  if (traits.length > 0) return "complex";
  if (hasModerateTrait(f)) return "moderate";
  return "simple";
}
