"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";

/** The cluster's recent rollouts, newest first; refreshed while one is open. */
export function RolloutList({ cluster }: { cluster: string }) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.rollout.list.queryOptions({ cluster }),
    refetchInterval: (s) => (s.state.data?.some((r) => r.state === "running" || r.state === "paused") ? 2000 : false),
  });
  return (
    <section className="panel" aria-label="Rollouts">
      <h2 style={{ marginTop: 0 }}>Rollouts</h2>
      {q.error ? (
        <ErrorNotice error={q.error} context="Cannot list rollouts" />
      ) : !q.data ? (
        <p aria-busy="true">Loading…</p>
      ) : q.data.length === 0 ? (
        <p className="muted">No rollouts on {cluster} yet. Start one below.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>State</th>
              <th>Progress</th>
              <th>Now</th>
              <th>Started</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link href={`/clusters/${encodeURIComponent(cluster)}/rollouts/${r.id}`}>Rollout #{r.id}</Link>
                </td>
                <td>{r.state}</td>
                <td>
                  <progress aria-label={`Rollout #${r.id} progress`} max={1} value={r.progress} />{" "}
                  {Math.round(r.progress * 100)}%
                </td>
                <td>{r.current ? `${r.current.member} ${r.current.phase}` : "—"}</td>
                <td>
                  {r.createdAt.toLocaleString()} by {r.startedBy ?? "unknown"}
                </td>
                <td className="muted">{r.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
