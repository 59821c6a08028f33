"use client";
import Link from "next/link";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/components/trpc";
import { StateBadge } from "@/components/health-badge";
import { FrontendsPanel } from "@/components/cluster/frontends-panel";
import { MembersTable } from "@/components/cluster/members-table";
import { MemberCharts } from "@/components/cluster/member-charts";
import { StoresPanel } from "@/components/stores/stores-panel";
import { ActionResult, type TActionResult } from "@/components/actions/action-result";
import { AutoReapplyToggle } from "@/components/actions/auto-reapply-toggle";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

/** The cluster page: live members table (SSE push after each poll), frontends and history charts. */
export function ClusterDashboard({ name, canOperate }: { name: string; canOperate: boolean }) {
  const trpc = useTRPC();
  const [results, setResults] = useState<TActionResult[]>([]);
  const onResult = (r: TActionResult | TActionResult[]) => setResults(Array.isArray(r) ? r : [r]);
  const sub = useSubscription(trpc.live.cluster.subscriptionOptions({ name }));
  const view = sub.data;

  if (sub.error && !view) {
    const notFound = (sub.error.data as { code?: string } | undefined)?.code === "NOT_FOUND";
    return (
      <div className="alert error" role="alert">
        {notFound ? `There is no cluster named "${name}".` : `Cannot load this cluster: ${sub.error.message}`}{" "}
        <Link href="/">Back to clusters</Link>
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
            {sub.status === "pending"
              ? "live"
              : sub.status === "connecting"
                ? "reconnecting…"
                : sub.error
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
      {sub.error && (
        <div className="alert error" role="alert">
          Live updates interrupted ({sub.error.message}); showing the last state received.
        </div>
      )}
      {canOperate && <AutoReapplyToggle clusterId={view.cluster.id} enabled={view.cluster.autoReapply} />}
      {results.map((r) => (
        <RetryableResult
          key={`${r.auditId}`}
          result={r}
          onResult={onResult}
          onDismiss={() => setResults((all) => all.filter((x) => x !== r))}
        />
      ))}
      <MembersTable view={view} canOperate={canOperate} onResult={onResult} />
      <h2 className="sr-only">Frontends</h2>
      <div style={{ marginTop: "1rem" }}>
        <FrontendsPanel frontends={view.frontends} />
      </div>
      <div style={{ marginTop: "1rem" }}>
        <StoresPanel cluster={name} />
      </div>
      <MemberCharts clusterName={name} />
    </>
  );
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
