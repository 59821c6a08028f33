import { RolloutList } from "@/components/rollouts/rollout-list";
import { StartRolloutForm } from "@/components/rollouts/start-rollout-form";
import { ClusterPageHeader, UnknownCluster } from "@/components/cluster/cluster-page-header";
import { requireSignedIn } from "@/server/auth/page-session";
import { roleAtLeast } from "@/server/auth/roles";
import { getDb } from "@/server/db";
import { findClusterByName } from "@/server/services/inventory/inventory";

export const dynamic = "force-dynamic";

export default async function RolloutsPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const me = await requireSignedIn(`/clusters/${name}/rollouts`);
  const cluster = decodeURIComponent(name);
  const row = await findClusterByName(getDb(), cluster);
  if (!row) {
    return <UnknownCluster cluster={cluster} />;
  }
  return (
    <>
      <ClusterPageHeader cluster={cluster} title={`Rollouts of ${cluster}`} />
      <RolloutList cluster={cluster} />
      {roleAtLeast(me.role, "operator") ? (
        row.members.length < 2 ? (
          <p className="muted">A rolling deploy needs at least two members: one must stay in rotation.</p>
        ) : (
          <StartRolloutForm
            cluster={cluster}
            members={row.members.map(({ name, intendedState, host, httpPort }) => ({
              name,
              intendedState,
              host,
              httpPort,
            }))}
            frontends={row.frontends.filter((f) => f.enabled).length}
            isAdmin={roleAtLeast(me.role, "admin")}
          />
        )
      ) : (
        <p className="muted">Starting a rollout needs the operator role.</p>
      )}
    </>
  );
}
