"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { StateBadge } from "@/components/health-badge";
import { RelativeTime } from "@/components/relative-time";

type TPoint = { t: number; routed: number; cameBack: number | null };

/**
 * After a member is stopped or disabled: its sessions re-homing as their users come back (each one
 * used since is, necessarily, served by another member). Polled every 3 s, drawn over the time the
 * page has been watching.
 */
export function Rehoming({
  cluster,
  members,
}: {
  cluster: string;
  members: Array<{ name: string; intendedState: string }>;
}) {
  const trpc = useTRPC();
  const out = members.filter((m) => m.intendedState !== "active");
  const [member, setMember] = useState(out[0]?.name ?? "");
  const [points, setPoints] = useState<TPoint[]>([]);
  const q = useQuery({
    ...trpc.session.rehoming.queryOptions({ cluster, member }),
    enabled: member !== "",
    refetchInterval: 3_000,
    retry: false,
  });
  const r = q.data;

  // One point per index scan, added while rendering the answer that brought it (React's "adjust state when
  // a prop changes" pattern: no effect, no second render pass); the chart keeps the last 200 scans.
  const scannedAt = r?.scannedAt ? r.scannedAt.getTime() : null;
  if (r && scannedAt !== null && points.at(-1)?.t !== scannedAt) {
    // Drawn over the stores that report last access, so both lines count the same sessions.
    const known = r.stores.filter((s) => s.cameBack !== null && !s.error);
    const routed = known.reduce((a, s) => a + s.routed, 0);
    const cameBack = known.length ? known.reduce((a, s) => a + (s.cameBack ?? 0), 0) : null;
    setPoints([...points, { t: scannedAt, routed, cameBack }].slice(-200));
  }

  return (
    <section aria-labelledby="rehoming-h">
      <h2 id="rehoming-h">Sessions re-homing</h2>
      {members.length === 0 ? (
        <div className="empty">This cluster has no members.</div>
      ) : (
        <div className="panel">
          <label style={{ maxWidth: "20rem" }}>
            Member
            <select
              value={member}
              onChange={(e) => {
                setMember(e.target.value);
                setPoints([]);
              }}
            >
              <option value="">choose a member…</option>
              {members.map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name} ({m.intendedState})
                </option>
              ))}
            </select>
          </label>
          {out.length === 0 && member === "" && (
            <p className="muted">Every member is active: stop or disable one to watch its users move to the others.</p>
          )}
          <ErrorNotice error={q.error} context={`Cannot follow ${member}'s sessions`} />
          {member !== "" && q.isLoading && (
            <p className="muted" aria-busy="true">
              Scanning the stores for {member}&apos;s sessions…
            </p>
          )}
          {r && (
            <div role="region" aria-label={`Re-homing of ${r.member}`}>
              <p>
                <strong>{r.member}</strong> <StateBadge state={r.intendedState} />{" "}
                {r.since ? `since ${new Date(r.since).toLocaleTimeString()}` : "is active: sessions are not moving"}
                {" · "}
                <span className="muted">
                  {r.scannedAt ? (
                    <>
                      figures from the session index, scanned <RelativeTime at={r.scannedAt} />
                    </>
                  ) : (
                    "waiting for the first scan of the stores…"
                  )}
                </span>
              </p>
              <table aria-label="Re-homing per store">
                <thead>
                  <tr>
                    <th scope="col">Store</th>
                    <th scope="col" className="num">
                      Sessions routed to {r.route}
                    </th>
                    <th scope="col" className="num">
                      Came back since (served elsewhere)
                    </th>
                    <th scope="col" className="num">
                      Renamed to another route
                    </th>
                    <th scope="col">Progress</th>
                  </tr>
                </thead>
                <tbody>
                  {r.stores.map((s) => (
                    <tr key={s.store}>
                      <th scope="row">{s.store}</th>
                      <td className="num">{s.error ? "–" : s.routed.toLocaleString()}</td>
                      <td className="num">
                        {s.error ? "–" : s.cameBack === null ? "not reported" : s.cameBack.toLocaleString()}
                      </td>
                      <td
                        className="num"
                        title="Sessions of this member that another Tomcat took over under its own route (JvmRouteBinderValve, sticky MSM): same base id, new route"
                      >
                        {s.error || !r.since ? "–" : s.renamed === null ? "not known" : s.renamed.toLocaleString()}
                      </td>
                      <td>
                        {s.error ? (
                          <span className="field-error">{s.error}</span>
                        ) : s.cameBack !== null && r.since ? (
                          <progress
                            aria-label={`${s.store}: sessions came back`}
                            max={Math.max(1, s.routed)}
                            value={s.routed === 0 ? 1 : s.cameBack}
                          />
                        ) : (
                          <span className="muted">{s.kind} does not report last access</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {r.stores.some((s) => s.waiting.length > 0) && r.since && (
                <details style={{ marginTop: ".5rem" }}>
                  <summary>
                    Not seen since (first {Math.max(...r.stores.map((s) => s.waiting.length))} per store)
                  </summary>
                  <ul>
                    {r.stores.flatMap((s) =>
                      s.waiting.map((id) => (
                        <li key={`${s.store}/${id}`}>
                          <code>{id}</code> ({s.store})
                        </li>
                      )),
                    )}
                  </ul>
                </details>
              )}
              {r.since && r.stores.some((s) => s.renamedIds.length > 0) && (
                <details style={{ marginTop: ".5rem" }}>
                  <summary>
                    Renamed on failover (first {Math.max(...r.stores.map((s) => s.renamedIds.length))} per store, new
                    ids)
                  </summary>
                  <ul>
                    {r.stores.flatMap((s) =>
                      s.renamedIds.map((id) => (
                        <li key={`${s.store}/renamed/${id}`}>
                          <code>{id}</code> ({s.store})
                        </li>
                      )),
                    )}
                  </ul>
                </details>
              )}
              {points.length > 1 && (
                <figure className="chart" aria-label="Re-homing over time" style={{ margin: ".75rem 0 0" }}>
                  <ResponsiveContainer width="100%" height={200}>
                    <LineChart data={points} margin={{ top: 5, right: 12, bottom: 5, left: 0 }}>
                      <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
                      <XAxis
                        dataKey="t"
                        type="number"
                        domain={["dataMin", "dataMax"]}
                        scale="time"
                        tickFormatter={(t: number) => new Date(t).toLocaleTimeString()}
                      />
                      <YAxis width={60} allowDecimals={false} />
                      <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()} />
                      <Legend />
                      <Line
                        type="linear"
                        dataKey="routed"
                        name={`routed to ${r.route} (stores reporting last access)`}
                        stroke="#b42318"
                        dot={false}
                        isAnimationActive={false}
                      />
                      <Line
                        type="linear"
                        dataKey="cameBack"
                        name="came back"
                        stroke="#027a48"
                        dot={false}
                        isAnimationActive={false}
                      />
                    </LineChart>
                  </ResponsiveContainer>
                </figure>
              )}
            </div>
          )}
        </div>
      )}
    </section>
  );
}
