import { redirect } from "next/navigation";
import { getDb } from "@/lib/db/server/client";
import { getPageUser } from "@/lib/auth/server/page";
import { hasAnyUser } from "@/lib/auth/server/users";
import { Card } from "@/components/ui/card";
import { AuthForm } from "@/app/_components/auth-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (!(await hasAnyUser(getDb()))) redirect("/setup");
  const { next } = await searchParams;
  if (await getPageUser()) redirect(next ?? "/");
  return (
    <main className="mx-auto max-w-sm px-4 py-16">
      <Card title="Sign in to Sandpiper">
        <AuthForm
          endpoint="/api/auth/login"
          next={next ?? "/"}
          submitLabel="Sign in"
          fields={[
            { name: "email", label: "Email", type: "email", autoComplete: "username" },
            { name: "password", label: "Password", type: "password", autoComplete: "current-password" },
          ]}
        />
      </Card>
      <p className="mt-4 text-center text-xs text-slate-500">No account? Ask a project admin for an invitation link.</p>
    </main>
  );
}
