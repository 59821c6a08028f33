import { AuditLog } from "@/components/audit/audit-log";
import { requireSignedIn } from "@/server/auth/page-session";

export const dynamic = "force-dynamic";

export default async function AuditPage() {
  await requireSignedIn("/audit");
  return <AuditLog />;
}
