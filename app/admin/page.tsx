import { UsersPanel } from "@/components/admin/users-panel";
import { TokensPanel } from "@/components/admin/tokens-panel";
import { requireSignedIn } from "@/server/auth/page-session";

export const dynamic = "force-dynamic";

export default async function AdminPage() {
  await requireSignedIn("/admin", "admin");
  return (
    <>
      <h1>Users and API tokens</h1>
      <UsersPanel />
      <TokensPanel />
    </>
  );
}
