import type { ReactNode } from "react";
import type { z } from "zod";
import { labelClass } from "@/components/ui/button";

// A labelled form control with its rule (the hint) and, once there is one, what is wrong with the
// value (the error), both tied to the control with aria-describedby so a screen reader reads them.

export interface ControlProps {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: true;
}

export function Field({ id, label, hint, error, children, className }: { id: string; label: ReactNode; hint?: ReactNode; error?: string | null; children: (control: ControlProps) => ReactNode; className?: string }) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      {children({ id, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined })}
      {error && (
        <p id={errorId} className="mt-1 text-xs text-rose-700">
          {error}
        </p>
      )}
      {hint && (
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
    </div>
  );
}

/** The first message for each path ("settings.epochs") of a failed zod parse. */
export function fieldErrors(error: z.ZodError | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error?.issues ?? []) {
    const path = issue.path.map(String).join(".");
    if (!(path in out)) out[path] = issue.message;
  }
  return out;
}

/**
 * A server refusal phrased "settings.bucket: …" (the services' ValidationError) as the error of
 * that field when the form shows one; otherwise null and the form shows the message whole.
 */
export function serverFieldError(message: string, paths: readonly string[]): { path: string; message: string } | null {
  const m = /^([A-Za-z0-9_.]+): (.+)$/s.exec(message);
  if (!m || !paths.includes(m[1]!)) return null;
  return { path: m[1]!, message: m[2]! };
}

/** A typed number, or NaN for an empty or unreadable one (the schema then says what is expected). */
export function readNumber(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text.trim());
}
