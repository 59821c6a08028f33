import { SessionsWorkspace } from "@/components/sessions/sessions-workspace";
import { StoresPanel } from "@/components/stores/stores-panel";
import { StoreCharts } from "@/components/stores/store-charts";
import { ReplaceServer } from "@/components/sessions/replace-server";
import { ExpireSessionForm } from "@/components/sessions/expire-sessions";
import { Rehoming } from "@/components/sessions/rehoming";
import { ClusterPageHeader, UnknownCluster } from "@/components/cluster/cluster-page-header";
import { requireSignedIn } from "@/server/auth/page-session";
import { getDb } from "@/server/db";
import { findClusterByName } from "@/server/services/inventory/inventory";
import { roleAtLeast } from "@/server/auth/roles";

export const dynamic = "force-dynamic";

export default async function SessionsPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const me = await requireSignedIn(`/clusters/${name}/sessions`);
  const cluster = decodeURIComponent(name);
  const row = await findClusterByName(getDb(), cluster);
  if (!row) {
    return <UnknownCluster cluster={cluster} />;
  }
  return (
    <>
      <ClusterPageHeader cluster={cluster} title={`Sessions of ${cluster}`} />
      <SessionsWorkspace cluster={cluster} canOperate={roleAtLeast(me.role, "operator")}>
        <StoresPanel cluster={cluster} detail canOperate={roleAtLeast(me.role, "operator")} />
        <StoreCharts cluster={cluster} />
      </SessionsWorkspace>
      <Rehoming
        cluster={cluster}
        members={row.members.map((m) => ({ name: m.name, intendedState: m.intendedState }))}
      />
      {roleAtLeast(me.role, "operator") && (
        <>
          <ExpireSessionForm cluster={cluster} />
          <ReplaceServer cluster={cluster} />
        </>
      )}
    </>
  );
}
