// Input checked against a zod schema, as every service and route does it (pure).
import type { z } from "zod";
import { ValidationError } from "@/lib/errors";

/**
 * The parsed value, or a ValidationError naming the first problem ("settings.concurrency: …"), with
 * the first few issues in its details. `fallback` is said when zod gives no message.
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, raw: unknown, fallback = "invalid input"): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const where = first?.path.length ? `${first.path.join(".")}: ` : "";
  throw new ValidationError(`${where}${first?.message ?? fallback}`, { issues: parsed.error.issues.slice(0, 5) });
}
