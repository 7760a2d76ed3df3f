import { redirect } from "next/navigation";
import { getDb } from "@/lib/db/server/client";
import { hasAnyUser } from "@/lib/auth/server/users";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/policy";
import { Card } from "@/components/ui/card";
import { AuthForm } from "@/app/_components/auth-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Set up" };

export default async function SetupPage() {
  if (await hasAnyUser(getDb())) redirect("/login");
  return (
    <main className="mx-auto max-w-sm px-4 py-16">
      <Card title="Welcome to Sandpiper" description="Create the first account. It administers the studio; invite your team from each project afterwards.">
        <AuthForm
          endpoint="/api/auth/setup"
          next="/"
          submitLabel="Create admin account"
          fields={[
            { name: "name", label: "Your name", autoComplete: "name" },
            { name: "email", label: "Email", type: "email", autoComplete: "username" },
            { name: "password", label: `Password (at least ${MIN_PASSWORD_LENGTH} characters)`, type: "password", autoComplete: "new-password" },
          ]}
        />
      </Card>
    </main>
  );
}
