"use client";
import { memo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/components/trpc";
import { formatBytes, formatRate } from "@/components/cluster/format";
import { ErrorNotice } from "@/components/errors/error-notice";

const RANGES = [
  { id: "15m", label: "15 min" },
  { id: "1h", label: "1 hour" },
  { id: "24h", label: "24 hours" },
] as const;
type TRange = (typeof RANGES)[number]["id"];

const METRICS = [
  { id: "requestsPerSec", title: "Requests per second", format: formatRate },
  { id: "busy", title: "Busy (requests in flight)", format: formatRate },
  {
    id: "errorsPerSec",
    title: "Errors per second (mod_jk counts them; balancer-manager does not)",
    format: formatRate,
  },
  { id: "bytesPerSec", title: "Bytes per second (to + from backend)", format: (v: number) => `${formatBytes(v)}/s` },
] as const;

/** Seconds matter over 15 minutes; over a day, the hour and minute do. */
function formatTick(t: number, range: TRange): string {
  const d = new Date(t);
  return range === "15m"
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false })
    : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
}

const COLOURS = ["#1d4f91", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#4338ca"];

const TOTAL = "all members";

type TPickChoice = "requests" | "errors" | "selected";

/**
 * History of the members worth looking at (summed over frontends) and the cluster's total: by default
 * the 5 busiest by requests; or the busiest by errors; or the members selected in the table. A thousand
 * lines would show nothing, so the server picks and only those are drawn.
 */
export const MemberCharts = memo(function MemberCharts({
  clusterName,
  selectedRoutes,
}: {
  clusterName: string;
  selectedRoutes: string[];
}) {
  const trpc = useTRPC();
  const [range, setRange] = useState<TRange>("15m");
  const [choice, setChoice] = useState<TPickChoice>("requests");
  const [n, setN] = useState(5);
  const usable = choice === "selected" && selectedRoutes.length === 0 ? "requests" : choice;
  const pick = usable === "selected" ? { members: selectedRoutes.slice(0, 20) } : { top: usable, n };
  const history = useQuery({
    ...trpc.cluster.history.queryOptions({ name: clusterName, range, ...pick }),
    refetchInterval: 10_000,
  });

  return (
    <section aria-labelledby="charts-heading">
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <h2 id="charts-heading">History</h2>
        <div className="toolbar">
          <label>
            Members drawn
            <select value={usable} onChange={(e) => setChoice(e.target.value as TPickChoice)}>
              <option value="requests">busiest by requests</option>
              <option value="errors">most errors</option>
              <option value="selected" disabled={selectedRoutes.length === 0}>
                selected in the table ({Math.min(selectedRoutes.length, 20)})
              </option>
            </select>
          </label>
          {usable !== "selected" && (
            <label>
              How many
              <select value={n} onChange={(e) => setN(Number(e.target.value))}>
                {[3, 5, 10, 20].map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            </label>
          )}
          <div className="toolbar" role="group" aria-label="Time range">
            {RANGES.map((r) => (
              <button key={r.id} type="button" aria-pressed={range === r.id} onClick={() => setRange(r.id)}>
                {r.label}
              </button>
            ))}
          </div>
        </div>
      </div>
      <ErrorNotice error={history.error} context="Could not load history" />
      {history.data && history.data.points.length === 0 && (
        <div className="empty">No history yet: points appear after the second poll of a frontend.</div>
      )}
      {history.data && history.data.points.length > 0 && (
        <div className="charts">
          {METRICS.map((metric) => {
            const data = history.data.points.map((p) => {
              const row: Record<string, number | null> = { t: p.t, [TOTAL]: p.total[metric.id] };
              for (const route of history.data.routes) row[route] = p.values[route]?.[metric.id] ?? null;
              return row;
            });
            return (
              <figure
                className="chart"
                key={metric.id}
                aria-label={metric.title}
                data-points={data.length}
                style={{ margin: 0 }}
              >
                <h3>{metric.title}</h3>
                <ResponsiveContainer width="100%" height={220}>
                  <LineChart data={data} margin={{ top: 5, right: 12, bottom: 5, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
                    <XAxis
                      dataKey="t"
                      type="number"
                      domain={["dataMin", "dataMax"]}
                      scale="time"
                      tickFormatter={(t: number) => formatTick(t, range)}
                    />
                    <YAxis width={84} tickFormatter={(v: number) => metric.format(v)} />
                    <Tooltip
                      labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()}
                      formatter={(v) => (typeof v === "number" ? metric.format(v) : String(v))}
                    />
                    <Legend />
                    <Line
                      key={TOTAL}
                      type="linear"
                      dataKey={TOTAL}
                      stroke="#6b7280"
                      strokeDasharray="5 4"
                      dot={false}
                      isAnimationActive={false}
                      connectNulls={false}
                    />
                    {history.data.routes.map((route, i) => (
                      <Line
                        key={route}
                        type="linear"
                        dataKey={route}
                        stroke={COLOURS[i % COLOURS.length]}
                        dot={false}
                        isAnimationActive={false}
                        connectNulls={false}
                      />
                    ))}
                  </LineChart>
                </ResponsiveContainer>
              </figure>
            );
          })}
        </div>
      )}
    </section>
  );
});
