import { getDb } from "@/lib/db/server/client";
import { requireUser } from "@/lib/auth/server/page";
import { listApiTokens } from "@/lib/auth/server/users";
import { Card, PageHeader } from "@/components/ui/card";
import { TokenManager } from "./token-manager";

export const dynamic = "force-dynamic";
export const metadata = { title: "Account" };

export default async function AccountPage() {
  const user = await requireUser();
  const tokens = await listApiTokens(getDb(), user);
  return (
    <main className="mx-auto max-w-3xl px-4 py-8">
      <PageHeader title={user.name} description={`${user.email}${user.isAdmin ? " · studio admin" : ""}`} />
      <Card title="API tokens" description="For scripts: send it as Authorization: Bearer <token>. A token acts as you, with your roles; it is shown once.">
        <TokenManager initial={tokens} />
      </Card>
    </main>
  );
}
