"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { formatBytes, formatRate } from "@/components/cluster/format";

const RANGES = [
  { id: "15m", label: "15 min" },
  { id: "1h", label: "1 hour" },
  { id: "24h", label: "24 hours" },
] as const;
type TRange = (typeof RANGES)[number]["id"];

type TMetric =
  | "memoryUsedBytes"
  | "memoryLimitBytes"
  | "items"
  | "sessions"
  | "hitRatio"
  | "evictionsPerSec"
  | "connections"
  | "opsPerSec";

/** One chart per figure; a chart may draw two figures per node (used vs limit, items vs sessions). */
const CHARTS: Array<{
  id: string;
  title: string;
  lines: Array<{ metric: TMetric; label: string; dashed?: boolean }>;
  format: (v: number) => string;
}> = [
  {
    id: "memory",
    title: "Memory used vs limit",
    lines: [
      { metric: "memoryUsedBytes", label: "used" },
      { metric: "memoryLimitBytes", label: "limit", dashed: true },
    ],
    format: formatBytes,
  },
  {
    id: "items",
    title: "Items and sessions",
    lines: [
      { metric: "items", label: "items" },
      { metric: "sessions", label: "sessions", dashed: true },
    ],
    format: (v) => Math.round(v).toLocaleString(),
  },
  {
    id: "hit-ratio",
    title: "Hit ratio",
    lines: [{ metric: "hitRatio", label: "" }],
    format: (v) => `${Math.round(v * 100)}%`,
  },
  {
    id: "evictions",
    title: "Evictions per second",
    lines: [{ metric: "evictionsPerSec", label: "" }],
    format: formatRate,
  },
  {
    id: "connections",
    title: "Connections",
    lines: [{ metric: "connections", label: "" }],
    format: (v) => Math.round(v).toString(),
  },
  { id: "ops", title: "Operations per second", lines: [{ metric: "opsPerSec", label: "" }], format: formatRate },
];

const COLOURS = ["#1d4f91", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#4338ca"];

function tick(t: number, range: TRange): string {
  const d = new Date(t);
  return range === "15m"
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false })
    : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
}

/** Store node history (the store poller's samples), one line per node, over the same ranges as the member charts. */
export function StoreCharts({ cluster }: { cluster: string }) {
  const trpc = useTRPC();
  const [range, setRange] = useState<TRange>("15m");
  const history = useQuery({ ...trpc.store.history.queryOptions({ cluster, range }), refetchInterval: 10_000 });
  const h = history.data;
  return (
    <section aria-labelledby="store-charts-h">
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <h2 id="store-charts-h">Store nodes over time</h2>
        <div className="toolbar" role="group" aria-label="Store charts time range">
          {RANGES.map((r) => (
            <button key={r.id} type="button" aria-pressed={range === r.id} onClick={() => setRange(r.id)}>
              {r.label}
            </button>
          ))}
        </div>
      </div>
      <ErrorNotice error={history.error} context="Cannot load the store history" />
      {h && h.points.length === 0 && (
        <div className="empty">No store history yet: points appear after the first stats polls.</div>
      )}
      {h && h.points.length > 0 && (
        <div className="charts">
          {CHARTS.map((chart) => {
            const data = h.points.map((p) => {
              const row: Record<string, number | null> = { t: p.t };
              for (const n of h.nodes)
                for (const l of chart.lines) row[`${n.key} ${l.label}`.trim()] = p.values[n.key]?.[l.metric] ?? null;
              return row;
            });
            return (
              <figure
                className="chart"
                key={chart.id}
                aria-label={chart.title}
                data-points={data.length}
                style={{ margin: 0 }}
              >
                <h3>{chart.title}</h3>
                <ResponsiveContainer width="100%" height={200}>
                  <LineChart data={data} margin={{ top: 5, right: 12, bottom: 5, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
                    <XAxis
                      dataKey="t"
                      type="number"
                      domain={["dataMin", "dataMax"]}
                      scale="time"
                      tickFormatter={(t: number) => tick(t, range)}
                    />
                    <YAxis width={84} tickFormatter={(v: number) => chart.format(v)} />
                    <Tooltip
                      labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()}
                      formatter={(v) => (typeof v === "number" ? chart.format(v) : String(v))}
                    />
                    <Legend />
                    {h.nodes.flatMap((n, i) =>
                      chart.lines.map((l) => (
                        <Line
                          key={`${n.key} ${l.label}`}
                          type="linear"
                          dataKey={`${n.key} ${l.label}`.trim()}
                          stroke={COLOURS[i % COLOURS.length]}
                          strokeDasharray={l.dashed ? "4 3" : undefined}
                          dot={false}
                          isAnimationActive={false}
                          connectNulls={false}
                        />
                      )),
                    )}
                  </LineChart>
                </ResponsiveContainer>
              </figure>
            );
          })}
        </div>
      )}
    </section>
  );
}
