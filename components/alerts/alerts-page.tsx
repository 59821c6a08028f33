"use client";
import { useState } from "react";
import { AlertTable } from "@/components/alerts/alert-table";
import { SilencesPanel } from "@/components/alerts/silences-panel";
import { RulesPanel } from "@/components/alerts/rules-panel";
import { ReceiversPanel } from "@/components/alerts/receivers-panel";
import { DeliveriesPanel } from "@/components/alerts/deliveries-panel";

/**
 * Alerts the console raises: current (pending and firing) and resolved ones, silences, the rules of one
 * cluster, where notifications go, and the outbox with its dead letters. Viewers read it all; operators
 * act on alerts, silences, rules, tests and retries; admins manage receivers.
 */
export function AlertsPage({
  initialCluster,
  canOperate,
  isAdmin,
}: {
  initialCluster: string;
  canOperate: boolean;
  isAdmin: boolean;
}) {
  const [draft, setDraft] = useState(initialCluster);
  const [cluster, setCluster] = useState(initialCluster);
  const [tab, setTab] = useState<"current" | "resolved">("current");
  return (
    <>
      <h1>Alerts</h1>
      <form
        className="inline panel"
        aria-label="Alert filters"
        onSubmit={(e) => {
          e.preventDefault();
          setCluster(draft.trim());
        }}
      >
        <label>
          Cluster
          <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="every cluster" />
        </label>
        <button type="submit" className="primary">
          Show
        </button>
        <div role="tablist" aria-label="Which alerts" className="toolbar">
          {(["current", "resolved"] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              className={tab === t ? "primary" : undefined}
              onClick={() => setTab(t)}
            >
              {t === "current" ? "Firing and pending" : "Resolved"}
            </button>
          ))}
        </div>
      </form>
      <AlertTable cluster={cluster} state={tab} canOperate={canOperate} />
      <SilencesPanel cluster={cluster} canOperate={canOperate} />
      {cluster && <RulesPanel cluster={cluster} canOperate={canOperate} />}
      {!cluster && <p className="muted">Name a cluster above to see and tune its alert rules.</p>}
      <ReceiversPanel canOperate={canOperate} isAdmin={isAdmin} />
      <DeliveriesPanel canOperate={canOperate} />
    </>
  );
}
