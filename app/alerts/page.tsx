import { AlertsPage } from "@/components/alerts/alerts-page";
import { requireSignedIn } from "@/server/auth/page-session";
import { roleAtLeast } from "@/server/auth/roles";

export const dynamic = "force-dynamic";

export default async function Alerts({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const me = await requireSignedIn("/alerts");
  const q = await searchParams;
  const cluster = typeof q.cluster === "string" ? q.cluster.slice(0, 64) : "";
  return (
    <AlertsPage initialCluster={cluster} canOperate={roleAtLeast(me.role, "operator")} isAdmin={me.role === "admin"} />
  );
}
