import { getDb } from "@/lib/db/server/client";
import { getInvitation } from "@/lib/auth/server/users";
import { AppError } from "@/lib/errors";
import { ROLE_LABELS, isRole, MIN_PASSWORD_LENGTH } from "@/lib/auth/policy";
import { Card } from "@/components/ui/card";
import { AuthForm } from "@/app/_components/auth-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await getInvitation(getDb(), token).catch((error) => {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  });
  return (
    <main className="mx-auto max-w-sm px-4 py-16">
      {"error" in invitation ? (
        <Card title="This invitation cannot be used">
          <p className="text-sm text-slate-700">{invitation.error}</p>
        </Card>
      ) : (
        <Card title={`Join ${invitation.projectName}`} description={`You are invited as ${isRole(invitation.role) ? ROLE_LABELS[invitation.role] : invitation.role}.`}>
          <AuthForm
            endpoint="/api/auth/accept-invitation"
            next={`/projects/${invitation.projectId}`}
            submitLabel="Join the project"
            extra={{ token }}
            fields={[
              { name: "email", label: "Email", type: "email", defaultValue: invitation.email, readOnly: true },
              { name: "name", label: "Your name", autoComplete: "name" },
              { name: "password", label: `Password (at least ${MIN_PASSWORD_LENGTH} characters)`, type: "password", autoComplete: "new-password" },
            ]}
          />
        </Card>
      )}
    </main>
  );
}
