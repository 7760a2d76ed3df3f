// Structured one-line logs. Every line passes through redactSecrets, so an API key that ends up
// in an error message never reaches the log.
import { redactSecrets } from "@/lib/redact";

type Level = "info" | "warn" | "error";

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (process.env.SANDPIPER_LOG === "silent") return;
  const line = redactSecrets(JSON.stringify({ t: new Date().toISOString(), level, message, ...fields }));
  (level === "error" ? console.error : level === "warn" ? console.warn : console.log)(line);
}

export const logger = {
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
};
