import Link from "next/link";

/** The heading of a cluster's sub-page (sessions, rollouts, …) with the way back to its dashboard. */
export function ClusterPageHeader({ cluster, title }: { cluster: string; title: string }) {
  return (
    <div className="toolbar" style={{ justifyContent: "space-between" }}>
      <h1>{title}</h1>
      <Link className="button" href={`/clusters/${encodeURIComponent(cluster)}`}>
        Back to dashboard
      </Link>
    </div>
  );
}

/** What a cluster's sub-page shows for a name that is not in the inventory. */
export function UnknownCluster({ cluster }: { cluster: string }) {
  return (
    <div className="alert error" role="alert">
      No cluster named &quot;{cluster}&quot;. <Link href="/">All clusters</Link>
    </div>
  );
}
