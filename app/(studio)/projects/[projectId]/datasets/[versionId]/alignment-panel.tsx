"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { ApiError, apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { Card, EmptyState } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { describeFeatureToken, type AlignmentScores, type AlignmentTarget, type RepresentationRow } from "@/lib/datasets/alignment";
import type { AlignmentReport, FeatureRow } from "@/lib/datasets/server/alignment";

const TARGETS: { value: AlignmentTarget; label: string; noun: string }[] = [
  { value: "imported", label: "Imported logs", noun: "imported queries" },
  { value: "test", label: "Test split", noun: "test items" },
  { value: "heldout", label: "Held-out", noun: "held-out items" },
];
const FLOOR = 1 / Math.E;
const MAX_SIZE = 100_000;

function percent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/** Where A_KL sits between its floor (1/e) and 1, as 0..1. */
function gaugePosition(akl: number): number {
  return Math.max(0, Math.min(1, (akl - FLOOR) / (1 - FLOOR)));
}

/** A_KL in plain words, read from D/c = −ln A_KL (0 = identical, 1 = as far apart as these sizes allow). */
function readAlignment(akl: number): string {
  const distance = -Math.log(Math.max(akl, FLOOR));
  if (distance < 0.05) return "Closely aligned: train has the target's structure in nearly the same proportions.";
  if (distance < 0.15) return "Mostly aligned: the same structures, in somewhat different proportions.";
  if (distance < 0.35) return "Partly aligned: some of the target's structures are rare or missing in train.";
  return "Poorly aligned: train is built from different structures than the target.";
}

function readOverlap(overlap: number): string {
  return `${percent(overlap, 0)} of the feature mass is common to both; the other ${percent(1 - overlap, 0)} sits on features one side has more of.`;
}

function AlignmentGauge({ akl }: { akl: number }) {
  const position = gaugePosition(akl);
  return (
    <div className="mt-2">
      <div className="relative h-2 rounded-full bg-gradient-to-r from-rose-200 via-amber-200 to-emerald-300" role="img" aria-label={`A_KL ${akl.toFixed(3)} on a scale from 1/e to 1`}>
        <div className="absolute top-1/2 h-4 w-1 -translate-x-1/2 -translate-y-1/2 rounded bg-slate-900" style={{ left: `${position * 100}%` }} />
      </div>
      <div className="mt-1 flex justify-between text-[11px] text-slate-500">
        <span>1/e ≈ 0.368 (furthest apart)</span>
        <span>1 (identical)</span>
      </div>
    </div>
  );
}

function ScoreCard({ title, value, reading, extra, children }: { title: string; value: string; reading: string; extra: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm">
      <div className="text-xs font-medium uppercase tracking-wide text-slate-500">{title}</div>
      <div className="mt-1 text-4xl font-semibold tabular-nums text-slate-900">{value}</div>
      {children}
      <p className="mt-2 text-sm text-slate-700">{reading}</p>
      <p className="mt-1 text-xs text-slate-500">{extra}</p>
    </div>
  );
}

function Legend({ targetNoun }: { targetNoun: string }) {
  return (
    <div className="flex items-center gap-4 text-xs text-slate-600">
      <span className="inline-flex items-center gap-1.5">
        <span className="inline-block h-2.5 w-2.5 rounded-sm bg-brand-500" /> Train
      </span>
      <span className="inline-flex items-center gap-1.5">
        <span className="inline-block h-2.5 w-2.5 rounded-sm bg-amber-400" /> Target ({targetNoun})
      </span>
    </div>
  );
}

function FeatureBars({ rows, targetNoun }: { rows: FeatureRow[]; targetNoun: string }) {
  const max = Math.max(0.0001, ...rows.map((r) => Math.max(r.p, r.q)));
  return (
    <div>
      <Legend targetNoun={targetNoun} />
      <ul className="mt-3 space-y-2" aria-label="Feature shares, train against target">
        {rows.map((r) => (
          <li key={r.key} className="grid grid-cols-[10rem_1fr] items-center gap-3" title={`${r.key}: in ${percent(r.trainQueryShare, 0)} of train queries and ${percent(r.targetQueryShare, 0)} of target queries`}>
            <span className="truncate text-sm text-slate-700">{describeFeatureToken(r.key)}</span>
            <div className="space-y-0.5">
              <div className="flex items-center gap-2">
                <div className="h-2.5 rounded-sm bg-brand-500" style={{ width: `${(r.p / max) * 85}%` }} />
                <span className="text-[11px] tabular-nums text-slate-600">{percent(r.p)}</span>
              </div>
              <div className="flex items-center gap-2">
                <div className="h-2.5 rounded-sm bg-amber-400" style={{ width: `${(r.q / max) * 85}%` }} />
                <span className="text-[11px] tabular-nums text-slate-600">{percent(r.q)}</span>
              </div>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function RepresentationList({ title, rows, empty }: { title: string; rows: RepresentationRow[]; empty: string }) {
  return (
    <div>
      <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
      {rows.length === 0 ? (
        <p className="mt-1 text-sm text-slate-500">{empty}</p>
      ) : (
        <ul className="mt-2 divide-y divide-slate-100 text-sm">
          {rows.map((r) => (
            <li key={r.key} className="flex items-baseline justify-between gap-3 py-1.5">
              <span className="text-slate-800">{describeFeatureToken(r.key)}</span>
              <span className="shrink-0 tabular-nums text-slate-600">
                {percent(r.p)} train vs {percent(r.q)} target
                <span className={cn("ml-2 font-medium", r.diff > 0 ? "text-brand-700" : "text-amber-700")}>
                  {r.diff > 0 ? "+" : "−"}
                  {(Math.abs(r.diff) * 100).toFixed(1)} pts
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ScoreCompare({ label, before, after, format }: { label: string; before: number; after: number; format: (n: number) => string }) {
  const better = after > before + 1e-9;
  const worse = after < before - 1e-9;
  return (
    <div className="flex items-baseline justify-between gap-3 py-1.5">
      <span className="text-slate-700">{label}</span>
      <span className="tabular-nums">
        <span className="text-slate-500">{format(before)}</span>
        <span className="mx-1.5 text-slate-400">→</span>
        <span className={cn("font-semibold", better ? "text-emerald-700" : worse ? "text-rose-700" : "text-slate-900")}>{format(after)}</span>
      </span>
    </div>
  );
}

function SelectionScores({ before, after }: { before: AlignmentScores; after: AlignmentScores }) {
  const three = (n: number) => n.toFixed(3);
  return (
    <div className="divide-y divide-slate-100 text-sm">
      <ScoreCompare label="Features: A_KL" before={before.featuresAkl} after={after.featuresAkl} format={three} />
      <ScoreCompare label="Features: overlap" before={before.featuresOverlap} after={after.featuresOverlap} format={(n) => percent(n)} />
      <ScoreCompare label="Template n-grams: A_KL" before={before.ngramsAkl} after={after.ngramsAkl} format={three} />
      <ScoreCompare label="Template n-grams: overlap" before={before.ngramsOverlap} after={after.ngramsOverlap} format={(n) => percent(n)} />
    </div>
  );
}

function csvDataUrl(ids: string[]): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(["item_id", ...ids].join("\n") + "\n")}`;
}

export function AlignmentPanel({ projectId, versionId }: { projectId: string; versionId: string }) {
  // null: the server picks (imported logs when the project has any, else the test split).
  const [target, setTarget] = useState<AlignmentTarget | null>(null);
  const [size, setSize] = useState<number | null>(null);
  const [sizeText, setSizeText] = useState("");
  const [sizeError, setSizeError] = useState<string | null>(null);
  const sizeId = useId();

  const params = new URLSearchParams();
  if (target) params.set("target", target);
  if (size) params.set("size", String(size));
  const search = params.toString();
  const url = `/api/projects/${projectId}/datasets/${versionId}/alignment${search ? `?${search}` : ""}`;
  const query = useQuery({
    queryKey: ["dataset-alignment", projectId, versionId, target, size],
    queryFn: ({ signal }) => apiFetch<AlignmentReport>(url, { signal }),
    placeholderData: keepPreviousData,
    retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 1,
  });

  const report = query.data;
  const shown = report && (target === null || report.target === target) ? report : undefined;
  const activeTarget = target ?? report?.target ?? null;
  const targetInfo = TARGETS.find((t) => t.value === (shown?.target ?? activeTarget)) ?? TARGETS[1]!;

  function proposeSize(event: FormEvent) {
    event.preventDefault();
    const n = Number(sizeText);
    if (!Number.isInteger(n) || n < 1 || n > MAX_SIZE) {
      setSizeError(`Enter a whole number of items from 1 to ${MAX_SIZE.toLocaleString("en-US")}.`);
      return;
    }
    setSizeError(null);
    setSize(n);
  }

  const selector = (
    <div role="radiogroup" aria-label="Compare the training split against" className="inline-flex rounded-md border border-slate-300 bg-white p-0.5 shadow-sm">
      {TARGETS.map((t) => {
        const selected = activeTarget === t.value;
        return (
          <button
            key={t.value}
            type="button"
            role="radio"
            aria-checked={selected}
            onClick={() => setTarget(t.value)}
            className={cn("rounded px-3 py-1 text-sm font-medium transition", selected ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100")}
          >
            {t.label}
          </button>
        );
      })}
    </div>
  );

  const error = query.error;
  let body: ReactNode;
  if (error && !(query.isFetching && shown)) {
    const expected = error instanceof ApiError && error.status === 400;
    body = expected ? (
      <EmptyState
        title={`Nothing to compare against in ${targetInfo.label.toLowerCase()}`}
        action={
          <div className="flex flex-wrap justify-center gap-2">
            {TARGETS.filter((t) => t.value !== activeTarget).map((t) => (
              <button key={t.value} type="button" className={buttonClass("secondary")} onClick={() => setTarget(t.value)}>
                Compare with {t.label.toLowerCase()}
              </button>
            ))}
          </div>
        }
      >
        {error.message}
      </EmptyState>
    ) : (
      <div role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
        <p>{error.message}</p>
        <button type="button" className={cn(buttonClass("secondary"), "mt-2")} onClick={() => void query.refetch()}>
          Try again
        </button>
      </div>
    );
  } else if (!shown) {
    body = (
      <div className="space-y-3" aria-busy="true">
        <p className="text-sm text-slate-500">Measuring alignment…</p>
        <div className="grid gap-3 md:grid-cols-2">
          <div className="h-40 animate-pulse rounded-lg bg-slate-100" />
          <div className="h-40 animate-pulse rounded-lg bg-slate-100" />
        </div>
      </div>
    );
  } else {
    const r = shown;
    const selection = r.selection;
    const fileName = `v${r.versionNumber}-train-aligned-to-${r.target}-${selection.itemIds.length}.csv`;
    body = (
      <div className={cn("space-y-6", query.isFetching && "opacity-60 transition-opacity")}>
        <p className="text-sm text-slate-600">
          {r.sizes.train.toLocaleString("en-US")} train items against {r.sizes.target.toLocaleString("en-US")} {targetInfo.noun}
          {r.targetChosen && r.target === "test" ? " (no imported queries yet, so the test split)" : ""}.
        </p>

        <div className="grid gap-3 md:grid-cols-2">
          <ScoreCard
            title="KL-alignment (A_KL) of structural features"
            value={r.features.akl.toFixed(3)}
            reading={readAlignment(r.features.akl)}
            extra={`exp(−KL / c) with KL = ${r.features.kl.toFixed(4)} and c = ${r.features.c.toFixed(3)}, the largest KL possible for these sizes. Template n-grams (n ≤ ${r.ngramMax}): ${r.ngrams.akl.toFixed(3)}.`}
          >
            <AlignmentGauge akl={r.features.akl} />
          </ScoreCard>
          <ScoreCard
            title="Overlap (histogram intersection)"
            value={percent(r.features.overlap)}
            reading={readOverlap(r.features.overlap)}
            extra={`Σ min(train share, target share) over ${r.features.support} features. Template n-grams: ${percent(r.ngrams.overlap)}.`}
          />
        </div>

        <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
          <div>
            <h3 className="text-sm font-semibold text-slate-900">Structural features</h3>
            <p className="mb-2 text-xs text-slate-500">Share of all feature mentions on each side (the distributions KL compares); hover a row for the share of queries.</p>
            <FeatureBars rows={r.features.rows} targetNoun={targetInfo.noun} />
          </div>
          <div className="space-y-6">
            <RepresentationList title="Over-represented in train" rows={r.features.over} empty="Train has no feature more often than the target." />
            <RepresentationList title="Under-represented in train" rows={r.features.under} empty="Train has every feature at least as often as the target." />
          </div>
        </div>

        <div>
          <h3 className="text-sm font-semibold text-slate-900">Structural-template n-grams (n = 1..{r.ngramMax})</h3>
          <p className="mt-1 text-sm text-slate-600">
            {r.ngrams.trainDistinct.toLocaleString("en-US")} distinct in train, {r.ngrams.targetDistinct.toLocaleString("en-US")} in the target, {r.ngrams.shared.toLocaleString("en-US")} shared;
            train covers {percent(r.ngrams.targetCoverage)} of the target&apos;s n-grams.
          </p>
          <div className="mt-3 grid gap-6 md:grid-cols-2">
            <div>
              <h4 className="text-xs font-medium uppercase tracking-wide text-slate-500">Most common in the target, never in train</h4>
              {r.ngrams.topMissing.length === 0 ? (
                <p className="mt-1 text-sm text-slate-500">None: train has every n-gram of the target.</p>
              ) : (
                <ul className="mt-1 space-y-1 text-sm">
                  {r.ngrams.topMissing.map((g) => (
                    <li key={g.ngram} className="flex items-baseline justify-between gap-3">
                      <code className="truncate rounded bg-amber-50 px-1.5 py-0.5 text-xs text-amber-900">{g.ngram}</code>
                      <span className="shrink-0 tabular-nums text-xs text-slate-500">{percent(g.q, 2)}</span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div>
              <h4 className="text-xs font-medium uppercase tracking-wide text-slate-500">Most common in both</h4>
              <ul className="mt-1 space-y-1 text-sm">
                {r.ngrams.topShared.map((g) => (
                  <li key={g.ngram} className="flex items-baseline justify-between gap-3">
                    <code className="truncate rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800">{g.ngram}</code>
                    <span className="shrink-0 tabular-nums text-xs text-slate-500">
                      {percent(g.p, 2)} / {percent(g.q, 2)}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        </div>

        <div className="rounded-lg border border-slate-200 bg-slate-50/60 p-4">
          <h3 className="text-sm font-semibold text-slate-900">Proposed training subset</h3>
          <p className="mt-1 text-sm text-slate-600">
            The train items whose structure together comes closest to the target (chosen one at a time, each raising the feature A_KL the most). You can use the list to freeze a
            smaller, better aligned version.
          </p>
          <form onSubmit={proposeSize} className="mt-3 flex flex-wrap items-end gap-3">
            <div>
              <label htmlFor={sizeId} className={labelClass}>
                Subset size
              </label>
              <input
                id={sizeId}
                type="number"
                min={1}
                max={MAX_SIZE}
                inputMode="numeric"
                className={cn(inputClass, "w-32")}
                placeholder={String(selection.size)}
                value={sizeText}
                onChange={(e) => setSizeText(e.target.value)}
                aria-invalid={sizeError ? true : undefined}
                aria-describedby={sizeError ? `${sizeId}-error` : undefined}
              />
            </div>
            <button type="submit" className={buttonClass("secondary")} disabled={query.isFetching}>
              Propose
            </button>
          </form>
          {sizeError && (
            <p id={`${sizeId}-error`} className="mt-1 text-sm text-rose-700">
              {sizeError}
            </p>
          )}
          <div className="mt-4 grid gap-4 md:grid-cols-[1fr_2fr]">
            <div>
              <div className="text-3xl font-semibold tabular-nums text-slate-900">{selection.itemIds.length.toLocaleString("en-US")} items</div>
              <p className="text-xs text-slate-500">of {r.sizes.train.toLocaleString("en-US")} train items</p>
              <a className={cn(buttonClass("primary"), "mt-3")} href={csvDataUrl(selection.itemIds)} download={fileName}>
                Download item ids (CSV)
              </a>
            </div>
            <div>
              <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Whole train split → proposed subset</p>
              <SelectionScores before={selection.before} after={selection.after} />
            </div>
          </div>
        </div>
      </div>
    );
  }

  return (
    <Card
      title="Alignment with the target workload"
      description="How closely the structure of this version's training split matches the queries it should serve (Rafiei et al. 2025)."
      actions={selector}
    >
      {body}
    </Card>
  );
}
