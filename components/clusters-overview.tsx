"use client";
import Link from "next/link";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { StateBadge } from "@/components/health-badge";
import { AddClusterForm } from "@/components/inventory/add-cluster-form";
import { ImportInventoryForm } from "@/components/inventory/import-inventory-form";

/** Every cluster's health at a glance, pushed live. */
export function ClustersOverview({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const sub = useSubscription(trpc.live.overview.subscriptionOptions());
  const clusters = sub.data;

  return (
    <>
      <h1>Clusters</h1>
      <p className="muted">Every member as every frontend sees it, updated after each poll.</p>
      <ErrorNotice error={sub.error} context="Live updates interrupted">
        <p className="muted">Reconnecting…</p>
      </ErrorNotice>
      {!clusters && !sub.error && <p aria-busy="true">Loading clusters…</p>}
      {clusters && clusters.length === 0 && (
        <div className="empty">
          <p>No clusters yet.</p>
          <p>
            Add one below, or start the console with CLUSTERDECK_INVENTORY naming a YAML inventory (the lab writes one).
          </p>
        </div>
      )}
      {clusters && clusters.length > 0 && (
        <ul className="grid" aria-label="Clusters" style={{ listStyle: "none", padding: 0 }}>
          {clusters.map((c) => (
            <li key={c.id}>
              <Link
                className="card"
                href={`/clusters/${encodeURIComponent(c.name)}`}
                aria-label={`Cluster ${c.name}: ${c.health}`}
              >
                <h3>
                  {c.name} <StateBadge state={c.health} />
                </h3>
                {c.description && (
                  <p className="muted" style={{ margin: "0 0 .5rem" }}>
                    {c.description}
                  </p>
                )}
                <div className="stats">
                  <span>
                    <strong>{c.healthyMembers}</strong>/{c.members} members healthy
                  </span>
                  <span>
                    <strong>{c.frontendsUp}</strong>/{c.frontends} frontends answering
                  </span>
                </div>
                {c.disagreements > 0 && (
                  <p className="flag">{c.disagreements} member(s) seen differently by different frontends</p>
                )}
                {c.drifted > 0 && <p className="flag">{c.drifted} member(s) drifted from their intended state</p>}
              </Link>
            </li>
          ))}
        </ul>
      )}
      {canEdit && (
        <>
          <h2>Add a cluster</h2>
          <div className="panel">
            <AddClusterForm />
          </div>
          <h2>Import an inventory (YAML)</h2>
          <div className="panel">
            <ImportInventoryForm />
          </div>
        </>
      )}
    </>
  );
}
