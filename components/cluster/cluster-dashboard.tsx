"use client";
import Link from "next/link";
import { useCallback, useMemo, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { StateBadge } from "@/components/health-badge";
import { FrontendsSection } from "@/components/cluster/frontends-section";
import { MembersMatrix } from "@/components/cluster/members-matrix";
import { MemberCharts } from "@/components/cluster/member-charts";
import { StoresPanel } from "@/components/stores/stores-panel";
import { useLiveCluster, type TClusterView, type TSnapshotFrame } from "@/components/cluster/use-live-cluster";
import { ActionResult, type TActionResult } from "@/components/actions/action-result";
import { BulkResult, type TBulkResult } from "@/components/actions/bulk-result";
import { AutoReapplyToggle } from "@/components/actions/auto-reapply-toggle";
import { ErrorNotice } from "@/components/errors/error-notice";

/**
 * The cluster page: the members matrix kept current by the live delta stream, the frontends' last polls
 * and the history charts. Results of actions (single and bulk) stay on top until dismissed.
 */
export function ClusterDashboard({
  name,
  canOperate,
  initial = null,
}: {
  name: string;
  canOperate: boolean;
  /** The view as the page was rendered with it (server side, from memory); the stream takes over. */
  initial?: TSnapshotFrame | null;
}) {
  const live = useLiveCluster(name, initial);
  const view = live.view;
  const [results, setResults] = useState<TActionResult[]>([]);
  const [bulkResults, setBulkResults] = useState<TBulkResult[]>([]);
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const onResult = useCallback((r: TActionResult | TActionResult[]) => setResults(Array.isArray(r) ? r : [r]), []);
  const onBulkResult = useCallback((r: TBulkResult) => setBulkResults([r]), []);
  // The charts are costly to draw: they get the same array until the selected routes themselves change,
  // not a new one after every poll.
  const routesKey = useMemo(() => selectedRoutes(view?.members ?? [], selected).join("\n"), [view?.members, selected]);
  const routes = useMemo(() => (routesKey ? routesKey.split("\n") : []), [routesKey]);

  if (live.error && !view) {
    return (
      <ErrorNotice
        error={live.error}
        context="Cannot load this cluster"
        notFound={`There is no cluster named "${name}".`}
      >
        <Link href="/">Back to clusters</Link>
      </ErrorNotice>
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
            {live.status === "pending"
              ? "live"
              : live.status === "connecting"
                ? "reconnecting…"
                : live.error
                  ? "live updates interrupted"
                  : ""}
          </span>
          <Link className="button" href={`/clusters/${encodeURIComponent(name)}/sessions`}>
            Sessions
          </Link>
          <Link className="button" href={`/clusters/${encodeURIComponent(name)}/rollouts`}>
            Rollouts
          </Link>
          {canOperate && (
            <Link className="button" href={`/clusters/${encodeURIComponent(name)}/inventory`}>
              Edit inventory
            </Link>
          )}
        </div>
      </div>
      {live.error && (
        <ErrorNotice error={live.error} context="Live updates interrupted; showing the last state received" />
      )}
      {canOperate && <AutoReapplyToggle clusterName={view.cluster.name} enabled={view.cluster.autoReapply} />}
      {results.map((r) => (
        <RetryableResult
          key={`${r.auditId}`}
          result={r}
          onResult={onResult}
          onDismiss={() => setResults((all) => all.filter((x) => x !== r))}
        />
      ))}
      {bulkResults.map((r) => (
        <BulkResult
          key={`${r.auditId}`}
          result={r}
          onResult={onBulkResult}
          onDismiss={() => setBulkResults((all) => all.filter((x) => x !== r))}
        />
      ))}
      <MembersMatrix
        view={view}
        canOperate={canOperate}
        onResult={onResult}
        onBulkResult={onBulkResult}
        selected={selected}
        onSelected={setSelected}
      />
      <h2 className="sr-only">Frontends</h2>
      <div style={{ marginTop: "1rem" }}>
        <FrontendsSection cluster={name} frontends={view.frontends} canOperate={canOperate} />
      </div>
      <div style={{ marginTop: "1rem" }}>
        <StoresPanel cluster={name} />
      </div>
      <MemberCharts clusterName={name} selectedRoutes={routes} />
    </>
  );
}

/** The routes of the selected members, for the charts' "selected members" choice. */
function selectedRoutes(members: TClusterView["members"], selected: ReadonlySet<string>): string[] {
  if (selected.size === 0) return [];
  return members.filter((m) => selected.has(m.name)).map((m) => m.route || m.name);
}

/** Retry re-sends the same change, only to the frontends that did not confirm it. */
function RetryableResult({
  result,
  onResult,
  onDismiss,
}: {
  result: TActionResult;
  onResult: (r: TActionResult) => void;
  onDismiss: () => void;
}) {
  const trpc = useTRPC();
  const verb = result.action.replace(/^member\./, "");
  const opts = { onSuccess: onResult };
  const drain = useMutation(trpc.member.drain.mutationOptions(opts));
  const disable = useMutation(trpc.member.disable.mutationOptions(opts));
  const stop = useMutation(trpc.member.stop.mutationOptions(opts));
  const standby = useMutation(trpc.member.standby.mutationOptions(opts));
  const enable = useMutation(trpc.member.enable.mutationOptions(opts));
  const byVerb = { drain, disable, stop, standby, enable } as const;
  const m = verb in byVerb ? byVerb[verb as keyof typeof byVerb] : null;
  return (
    <ActionResult
      result={result}
      retrying={m?.isPending ?? false}
      onDismiss={onDismiss}
      onRetry={(frontendIds) =>
        m?.mutate({ cluster: result.cluster, member: result.member, force: false, frontendIds })
      }
    />
  );
}
