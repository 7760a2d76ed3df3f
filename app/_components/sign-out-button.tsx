"use client";

import { useRouter } from "next/navigation";
import { apiFetch } from "@/components/api";

export function SignOutButton() {
  const router = useRouter();
  return (
    <button
      className="text-slate-600 hover:text-slate-900"
      onClick={async () => {
        await apiFetch("/api/auth/logout", { method: "POST", body: {} }).catch(() => {});
        router.push("/login");
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}
