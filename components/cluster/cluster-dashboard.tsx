"use client";
import Link from "next/link";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/components/trpc";
import { StateBadge } from "@/components/health-badge";
import { FrontendsPanel } from "@/components/cluster/frontends-panel";
import { MembersTable } from "@/components/cluster/members-table";
import { MemberCharts } from "@/components/cluster/member-charts";

/** The cluster page: live members table (SSE push after each poll), frontends and history charts. */
export function ClusterDashboard({ name }: { name: string }) {
  const trpc = useTRPC();
  const sub = useSubscription(trpc.live.cluster.subscriptionOptions({ name }));
  const view = sub.data;

  if (sub.error && !view) {
    const notFound = (sub.error.data as { code?: string } | undefined)?.code === "NOT_FOUND";
    return (
      <div className="alert error" role="alert">
        {notFound ? `There is no cluster named "${name}".` : `Cannot load this cluster: ${sub.error.message}`} <Link href="/">Back to clusters</Link>
      </div>
    );
  }
  if (!view) return <p aria-busy="true">Loading {name}…</p>;

  return (
    <>
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <div>
          <h1>
            {view.cluster.name} <StateBadge state={view.health} />
          </h1>
          {view.cluster.description && <p className="muted">{view.cluster.description}</p>}
        </div>
        <div className="toolbar">
          <span className="muted" role="status" aria-live="polite">
            {sub.status === "pending" ? "live" : sub.status === "connecting" ? "reconnecting…" : sub.error ? "live updates interrupted" : ""}
          </span>
          <Link className="button" href={`/clusters/${encodeURIComponent(name)}/inventory`}>
            Edit inventory
          </Link>
        </div>
      </div>
      {sub.error && (
        <div className="alert error" role="alert">
          Live updates interrupted ({sub.error.message}); showing the last state received.
        </div>
      )}
      <MembersTable view={view} />
      <h2 className="sr-only">Frontends</h2>
      <div style={{ marginTop: "1rem" }}>
        <FrontendsPanel frontends={view.frontends} />
      </div>
      <MemberCharts clusterName={name} />
    </>
  );
}
