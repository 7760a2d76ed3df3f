"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";
import { buttonClass } from "@/components/ui/button";

/**
 * A modal question before a step that cannot be undone (cancel a job, delete a connection). The
 * native <dialog> keeps focus inside and the page behind inert; focus starts on the safe choice and
 * returns to the opener on close. A server refusal is shown inside, so the user reads why.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  dismissLabel = "Keep it",
  busy = false,
  busyLabel,
  error,
  onConfirm,
  onClose,
}: {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  dismissLabel?: string;
  busy?: boolean;
  busyLabel?: string;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const dismissRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    dismissRef.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      opener?.focus?.();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      className="m-auto w-full max-w-md rounded-lg border border-slate-200 bg-white p-0 shadow-xl backdrop:bg-slate-900/30"
      onCancel={(e) => {
        // Escape: closes unless the step is already under way.
        e.preventDefault();
        if (!busy) onClose();
      }}
      onMouseDown={(e) => {
        if (e.target === e.currentTarget && !busy) onClose();
      }}
    >
      <div className="px-4 py-4">
        <h2 id={titleId} className="text-sm font-semibold text-slate-900">
          {title}
        </h2>
        <div id={bodyId} className="mt-2 space-y-2 text-sm text-slate-600">
          {children}
        </div>
        {error && (
          <p role="alert" className="mt-3 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
            {error}
          </p>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <button ref={dismissRef} type="button" className={buttonClass("secondary")} onClick={onClose} disabled={busy}>
            {dismissLabel}
          </button>
          <button type="button" className={buttonClass("danger")} onClick={onConfirm} disabled={busy} aria-busy={busy || undefined}>
            {busy ? (busyLabel ?? `${confirmLabel}…`) : confirmLabel}
          </button>
        </div>
      </div>
    </dialog>
  );
}
