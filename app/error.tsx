"use client";

import { buttonClass } from "@/components/ui/button";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto max-w-xl px-4 py-16 text-center">
      <h1 className="text-xl font-semibold text-slate-900">This page could not be shown</h1>
      <p className="mt-2 text-sm text-slate-600">
        The server hit an error while preparing it. Nothing you saved was lost. Try again; if it keeps happening, the server log has the details
        {error.digest ? ` (reference ${error.digest})` : ""}.
      </p>
      <button className={buttonClass("primary", "mt-6")} onClick={reset}>
        Try again
      </button>
    </main>
  );
}
