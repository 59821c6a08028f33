import { ClusterDashboard } from "@/components/cluster/cluster-dashboard";
import { requireSignedIn } from "@/server/auth/page-session";
import { roleAtLeast } from "@/server/auth/roles";

export const dynamic = "force-dynamic";

export default async function ClusterPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const me = await requireSignedIn(`/clusters/${name}`);
  return <ClusterDashboard name={decodeURIComponent(name)} canOperate={roleAtLeast(me.role, "operator")} />;
}
