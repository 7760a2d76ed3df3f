import Link from "next/link";
import { buttonClass } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl px-4 py-16 text-center">
      <h1 className="text-xl font-semibold text-slate-900">Not found</h1>
      <p className="mt-2 text-sm text-slate-600">This page, project or item does not exist. It may have been deleted, or the link is incomplete.</p>
      <Link href="/" className={buttonClass("secondary", "mt-6")}>
        Back to projects
      </Link>
    </main>
  );
}
