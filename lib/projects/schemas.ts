import { z } from "zod";

export const createProjectInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Give the project a name.")
    .max(80, "Keep the name under 80 characters.")
    .regex(/^[^<>\u0000-\u001f]+$/, "The name cannot contain control characters or < >."),
  description: z.string().trim().max(2000, "Keep the description under 2,000 characters.").default(""),
});
export type CreateProjectInput = z.infer<typeof createProjectInput>;
