"use client";

// A small keyboard menu: digits pick an option, Enter picks the default, Esc closes. Used for the
// reject reason and for flags, so both are one key press away while reviewing.
import { useEffect, useRef } from "react";
import { cn } from "@/components/ui/cn";

export function ChoiceMenu<T extends string>({
  label,
  options,
  selected,
  onPick,
  onClose,
  enterHint,
  onEnter,
}: {
  label: string;
  options: { value: T; label: string }[];
  /** Options shown as checked (flags). */
  selected?: readonly T[];
  onPick: (value: T) => void;
  onClose: () => void;
  enterHint?: string;
  onEnter?: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div
      ref={ref}
      role="menu"
      aria-label={label}
      tabIndex={-1}
      className="mt-2 rounded-md border border-slate-200 bg-white p-2 text-sm shadow-lg outline-none ring-2 ring-brand-100"
      onKeyDown={(e) => {
        const n = Number(e.key);
        if (Number.isInteger(n) && n >= 1 && n <= options.length) {
          e.preventDefault();
          e.stopPropagation();
          onPick(options[n - 1].value);
        } else if (e.key === "Enter" && onEnter) {
          e.preventDefault();
          e.stopPropagation();
          onEnter();
        } else if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <p className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</p>
      <ul className="grid gap-0.5 sm:grid-cols-2">
        {options.map((o, i) => (
          <li key={o.value}>
            <button
              type="button"
              role={selected ? "menuitemcheckbox" : "menuitem"}
              aria-checked={selected ? selected.includes(o.value) : undefined}
              className={cn("flex w-full items-center gap-2 rounded px-2 py-1 text-left hover:bg-slate-100", selected?.includes(o.value) && "bg-rose-50 text-rose-800")}
              onClick={() => onPick(o.value)}
            >
              <kbd>{i + 1}</kbd>
              {selected && <span aria-hidden>{selected.includes(o.value) ? "☑" : "☐"}</span>}
              {o.label}
            </button>
          </li>
        ))}
      </ul>
      <p className="mt-1 text-xs text-slate-500">
        {enterHint ? (
          <>
            <kbd>Enter</kbd> {enterHint} ·{" "}
          </>
        ) : null}
        <kbd>Esc</kbd> close
      </p>
    </div>
  );
}
