"use client";
import { useSubscription } from "@trpc/tanstack-react-query";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TRouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { StateBadge } from "@/components/health-badge";
import { RelativeTime } from "@/components/relative-time";
import { formatBytes, formatRate } from "@/components/cluster/format";
import { EvacuateNode } from "@/components/sessions/evacuate-node";

type TStore = TRouterOutputs["store"]["status"][number];
type TNode = TStore["nodes"][number];

const pct = (r: number | null) => (r === null ? "–" : `${Math.round(r * 100)}%`);
const count = (n: number | null | undefined) => (n === null || n === undefined ? "–" : n.toLocaleString());

function uptime(s: number | null): string {
  if (s === null) return "–";
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/**
 * The cluster's session stores, live: each node's state and warnings (down, restarted, evicting, nearly
 * full, an evicting policy, hit ratio collapsing, sessions without backup), its stats from the last poll,
 * and the sessions the index counts on it. Pushed after every store poll (SSE). `detail` adds the
 * per-member bars and the node actions the store's kind offers (the sessions page).
 */
export function StoresPanel({
  cluster,
  detail,
  canOperate,
}: {
  cluster: string;
  detail?: boolean;
  canOperate?: boolean;
}) {
  const trpc = useTRPC();
  const sub = useSubscription(trpc.live.stores.subscriptionOptions({ cluster }));
  const stores = sub.data;
  return (
    <section aria-labelledby="stores-h">
      <h2 id="stores-h">Session stores</h2>
      {sub.error &&
        (stores ? (
          <div className="alert error" role="alert">
            Live updates of the stores interrupted; showing the last state received.
          </div>
        ) : (
          <ErrorNotice error={sub.error} context="Cannot load the session stores" />
        ))}
      {!stores && !sub.error && <p aria-busy="true">Loading the stores…</p>}
      {stores && stores.length === 0 && (
        <div className="empty">
          This cluster has no session stores in its inventory. Add them under <code>stores:</code> in the inventory
          YAML.
        </div>
      )}
      {stores?.map((s) => (
        <StoreBlock key={s.store} cluster={cluster} s={s} detail={detail ?? false} canOperate={canOperate ?? false} />
      ))}
    </section>
  );
}

function StoreBlock({
  cluster,
  s,
  detail,
  canOperate,
}: {
  cluster: string;
  s: TStore;
  detail: boolean;
  canOperate: boolean;
}) {
  const evacuable = canOperate && s.capabilities.evacuateNode && s.nodes.length > 1;
  return (
    <figure className="panel" aria-label={`Store ${s.store}`} style={{ margin: "0 0 1rem" }}>
      <h3 style={{ margin: "0 0 .5rem" }}>
        {s.store} <StateBadge state={s.state} /> <span className="muted">({s.kindLabel})</span>
      </h3>
      <IndexLine s={s} />
      <table aria-label={`${s.store} nodes`}>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Sessions
            </th>
            <th scope="col" className="num">
              Items
            </th>
            <th scope="col" className="num">
              Memory
            </th>
            <th scope="col" className="num">
              Hit ratio
            </th>
            <th scope="col" className="num">
              Evictions/s
            </th>
            <th scope="col" className="num">
              Conns
            </th>
            <th scope="col" className="num">
              Ops/s
            </th>
            <th scope="col" className="num">
              Uptime
            </th>
            <th scope="col">Last poll</th>
            {evacuable && <th scope="col">Move sessions</th>}
          </tr>
        </thead>
        <tbody>
          {s.nodes.map((n) => (
            <NodeRow key={n.node} s={s} n={n} cluster={cluster} evacuable={evacuable} />
          ))}
        </tbody>
      </table>
      {detail && s.counts && s.counts.total > 0 && (
        <ResponsiveContainer width="100%" height={160}>
          <BarChart
            data={Object.entries(s.counts.perRoute).map(([route, n]) => ({ route, sessions: n }))}
            margin={{ top: 10, right: 10, left: 0, bottom: 0 }}
            aria-label={`${s.store} sessions by member`}
          >
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis dataKey="route" />
            <YAxis width={64} />
            <Tooltip />
            <Bar dataKey="sessions" name="sessions by member (route)" fill="#1d4f91" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}

/** How old the session figures are, and what the scans are doing (never hidden: "incomplete: n1 busy, retrying"). */
function IndexLine({ s }: { s: TStore }) {
  const scan = s.scan;
  if (!scan.indexed)
    return <p className="muted">This kind of store cannot list its sessions: only its stats are shown.</p>;
  return (
    <div role="status" aria-live="polite" aria-label={`${s.store} session index`}>
      <p className="muted" style={{ margin: "0 0 .25rem" }}>
        {s.counts ? (
          <>
            <strong aria-label={`${s.store} total`}>{s.counts.total.toLocaleString()}</strong> sessions, counted by the
            scan of <RelativeTime at={s.counts.scannedAt} /> ({(s.counts.durationMs / 1000).toFixed(1)} s)
            {s.counts.scannedBy && ` on console instance ${s.counts.scannedBy}, which keeps this cluster's index`}
          </>
        ) : scan.building ? (
          "Counting sessions: first scan running…"
        ) : (
          "Sessions not counted yet: the store is scanned while someone looks at the cluster's sessions."
        )}
        {scan.building && s.counts && ` · rescanning: ${scan.building.scanned.toLocaleString()} read`}
      </p>
      {scan.error && <p className="field-error">Scan failed: {scan.error}</p>}
      {scan.incomplete.map((n) => (
        <p key={n.node} className="field-error">
          incomplete: {n.reason}
        </p>
      ))}
    </div>
  );
}

function NodeRow({ s, n, cluster, evacuable }: { s: TStore; n: TNode; cluster: string; evacuable: boolean }) {
  const memory =
    n.memoryUsedBytes === null
      ? "–"
      : n.memoryLimitBytes
        ? `${formatBytes(n.memoryUsedBytes)} / ${formatBytes(n.memoryLimitBytes)} (${pct(n.memoryUsedBytes / n.memoryLimitBytes)})`
        : formatBytes(n.memoryUsedBytes);
  return (
    <>
      <tr aria-label={`${s.store} node ${n.node}`}>
        <th scope="row">
          {n.node} <span className="muted">{`${n.host}:${n.port}`}</span>
          {n.fallback && <div className="muted">falls back to {n.fallback}</div>}
        </th>
        <td>
          <StateBadge state={n.state} title={n.error ?? undefined} />
        </td>
        <td className="num">{count(n.sessions)}</td>
        <td className="num">{count(n.items)}</td>
        <td className="num">{memory}</td>
        <td className="num">{pct(n.hitRatio)}</td>
        <td className="num" style={n.evictionsPerSec ? { color: "var(--bad)", fontWeight: 600 } : undefined}>
          {formatRate(n.evictionsPerSec)}
        </td>
        <td className="num">{count(n.connections)}</td>
        <td className="num">{formatRate(n.opsPerSec)}</td>
        <td className="num">{uptime(n.uptimeSeconds)}</td>
        <td>
          <RelativeTime at={n.lastPollAt} />
        </td>
        {evacuable && (
          <td>
            <EvacuateNode cluster={cluster} store={s.store} node={n.node} fallback={n.fallback} />
          </td>
        )}
      </tr>
      {n.warnings.length > 0 && (
        <tr aria-label={`${s.store} node ${n.node} warnings`}>
          <td colSpan={evacuable ? 12 : 11}>
            <ul className="store-warnings">
              {n.warnings.map((w) => (
                <li key={w.code} className={w.severity} data-code={w.code}>
                  {w.message}
                </li>
              ))}
            </ul>
          </td>
        </tr>
      )}
    </>
  );
}
