import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Providers } from "@/app/providers";
import { getPageUser } from "@/lib/auth/server/page";
import { SignOutButton } from "@/app/_components/sign-out-button";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Sandpiper", template: "%s · Sandpiper" },
  description: "A studio for text-to-SQL fine-tuning projects: schema to sandbox, labels, datasets, fine-tunes and scorecards.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await getPageUser();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans antialiased">
        <Providers>
          <header className="border-b border-slate-200 bg-white">
            <div className="mx-auto flex h-12 max-w-[1400px] items-center gap-6 px-4">
              <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
                <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
                  <circle cx="12" cy="12" r="11" fill="#1f9e8f" />
                  <path d="M5 14c3-4 7-5 10-4l4-2-2 4c-1 3-4 5-8 5" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
                </svg>
                Sandpiper
              </Link>
              {user && (
                <nav className="text-sm text-slate-600">
                  <Link href="/" className="hover:text-slate-900">
                    Projects
                  </Link>
                </nav>
              )}
              {user && (
                <div className="ml-auto flex items-center gap-4 text-sm">
                  <Link href="/account" className="text-slate-700 hover:text-slate-900" title={user.email}>
                    {user.name}
                  </Link>
                  <SignOutButton />
                </div>
              )}
            </div>
          </header>
          {children}
        </Providers>
      </body>
    </html>
  );
}
