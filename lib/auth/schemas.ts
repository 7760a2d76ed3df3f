import { z } from "zod";
import { MIN_PASSWORD_LENGTH, ROLES } from "@/lib/auth/policy";

const email = z.string().trim().toLowerCase().email("Enter a valid email address.").max(200);
const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(200, "Keep the password under 200 characters.");
const name = z.string().trim().min(1, "Enter your name.").max(100, "Keep the name under 100 characters.");

export const loginInput = z.object({ email, password: z.string().min(1, "Enter your password.").max(200) });
export const setupInput = z.object({ email, name, password });
export const acceptInvitationInput = z.object({ token: z.string().min(10).max(200), name, password });
export const createInvitationInput = z.object({ email, role: z.enum(ROLES) });
export const updateMemberInput = z.object({ role: z.enum(ROLES) });
export const createApiTokenInput = z.object({ name: z.string().trim().min(1, "Name the token.").max(80) });
