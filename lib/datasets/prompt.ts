// The system prompt that travels with a dataset version: used in exports and in evaluation, so a
// model is trained and tested on the same instructions.
export function buildSystemPrompt(schemaPrompt: string): string {
  return [
    "You are a text-to-SQL assistant. Write one DuckDB SQL query that answers the user's question over the database below.",
    "Answer with the SQL only, in a ```sql code block. Use only the tables and columns shown.",
    "",
    schemaPrompt.trim(),
  ].join("\n");
}
