"use client";
import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/components/trpc";
import { EvacuateNode } from "@/components/sessions/evacuate-node";

/** Sessions per member (route) and per store node, from a full scan of each store; refreshed every 30 s. */
export function StoreCounts({ cluster, canOperate }: { cluster: string; canOperate: boolean }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.session.counts.queryOptions({ cluster }), refetchInterval: 30_000 });
  const stores = q.data;
  return (
    <section aria-labelledby="counts-h">
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <h2 id="counts-h">Sessions per member and per store node</h2>
        <button type="button" onClick={() => q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? "Scanning…" : "Scan again"}
        </button>
      </div>
      {q.error && (
        <div className="alert error" role="alert">
          {q.error.message}
        </div>
      )}
      {q.isPending && <p aria-busy="true">Scanning the stores…</p>}
      {stores && stores.length === 0 && (
        <div className="empty">
          This cluster has no session stores in its inventory. Add them under <code>stores:</code> in the inventory
          YAML.
        </div>
      )}
      <div className="charts">
        {stores?.map((s) => (
          <figure key={s.store} className="chart" aria-label={`Store ${s.store}`} style={{ margin: 0 }}>
            <h3>
              {s.store} <span className="muted">({s.kind})</span>
            </h3>
            {s.error && (
              <div className="field-error" role="status">
                {s.error}
              </div>
            )}
            {s.counts && (
              <>
                <p>
                  <strong aria-label={`${s.store} total`}>{s.counts.total.toLocaleString()}</strong> live sessions ·
                  scanned in {(s.counts.durationMs / 1000).toFixed(1)} s
                </p>
                <table aria-label={`${s.store} sessions per node`}>
                  <thead>
                    <tr>
                      <th scope="col">Node</th>
                      <th scope="col" className="num">
                        Sessions
                      </th>
                      <th scope="col" className="num">
                        Keys
                      </th>
                      <th scope="col" className="num">
                        Items (server)
                      </th>
                      <th scope="col" className="num">
                        Evictions
                      </th>
                      {canOperate && s.kind === "memcached-msm" && <th scope="col">Move sessions</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {s.nodes.map((n) => (
                      <tr key={n.node} aria-label={`${s.store} node ${n.node}`}>
                        <th scope="row">{n.node}</th>
                        <td className="num">{(s.counts!.perNode[n.node] ?? 0).toLocaleString()}</td>
                        <td className="num">{(s.counts!.keysPerNode[n.node] ?? 0).toLocaleString()}</td>
                        <td className="num">{n.items.toLocaleString()}</td>
                        <td
                          className="num"
                          style={n.evictions > 0 ? { color: "var(--bad)", fontWeight: 600 } : undefined}
                        >
                          {n.evictions.toLocaleString()}
                        </td>
                        {canOperate && s.kind === "memcached-msm" && (
                          <td>
                            <EvacuateNode cluster={cluster} store={s.store} node={n.node} />
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
                {s.counts.total === 0 ? (
                  <p className="muted">No live session in this store.</p>
                ) : (
                  <ResponsiveContainer width="100%" height={180}>
                    <BarChart
                      data={Object.entries(s.counts.perRoute).map(([route, n]) => ({ route, sessions: n }))}
                      margin={{ top: 10, right: 10, left: 0, bottom: 0 }}
                    >
                      <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
                      <XAxis dataKey="route" />
                      <YAxis width={64} />
                      <Tooltip />
                      <Bar
                        dataKey="sessions"
                        name="sessions by member (route)"
                        fill="#1d4f91"
                        isAnimationActive={false}
                      />
                    </BarChart>
                  </ResponsiveContainer>
                )}
              </>
            )}
          </figure>
        ))}
      </div>
    </section>
  );
}
