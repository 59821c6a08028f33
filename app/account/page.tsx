import { ChangePasswordForm } from "@/components/auth/change-password-form";
import { requireSignedIn } from "@/server/auth/page-session";

export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const me = await requireSignedIn("/account");
  return (
    <>
      <h1>Your account</h1>
      <p className="muted">
        Signed in as <strong>{me.username}</strong> ({me.role}).
      </p>
      <ChangePasswordForm />
    </>
  );
}
