"use client";
import { useState } from "react";
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ConfirmDialog } from "@/components/actions/confirm-dialog";
import { ErrorNotice } from "@/components/errors/error-notice";
import { RolloutTimeline } from "@/components/rollouts/rollout-timeline";

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Remaining sessions (or requests) over the wait, as a small line: falling means users are leaving. */
function Sparkline({ samples, label }: { samples: Array<[number, number]>; label: string }) {
  if (samples.length < 2) return null;
  const t0 = samples[0]![0];
  const t1 = samples.at(-1)![0];
  const max = Math.max(1, ...samples.map((s) => s[1]));
  const pts = samples.map(([t, v]) => `${((t - t0) / Math.max(1, t1 - t0)) * 160},${40 - (v / max) * 38}`).join(" ");
  return (
    <svg width={160} height={42} role="img" aria-label={label} style={{ verticalAlign: "middle" }}>
      <polyline points={pts} fill="none" stroke="currentColor" strokeWidth={1.5} />
    </svg>
  );
}

/**
 * One rollout, polled every second while it is open: overall and per-member progress, the current step,
 * the controls (pause / resume / abort / continue), and the timeline with per-frontend results.
 */
export function RolloutView({ cluster, id, canOperate }: { cluster: string; id: number; canOperate: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [confirmAbort, setConfirmAbort] = useState(false);
  const q = useQuery({
    ...trpc.rollout.get.queryOptions({ cluster, id }),
    refetchInterval: (s) => (s.state.data && ["done", "aborted"].includes(s.state.data.state) ? false : 1000),
  });
  const refresh = { onSuccess: () => qc.invalidateQueries({ queryKey: trpc.rollout.get.queryKey({ cluster, id }) }) };
  const pause = useMutation(trpc.rollout.pause.mutationOptions(refresh));
  const resume = useMutation(trpc.rollout.resume.mutationOptions(refresh));
  const abort = useMutation(
    trpc.rollout.abort.mutationOptions({ ...refresh, onSettled: () => setConfirmAbort(false) }),
  );
  const cont = useMutation(trpc.rollout.continue.mutationOptions(refresh));
  if (q.error) {
    return (
      <ErrorNotice
        error={q.error}
        context={`Cannot load rollout #${id}`}
        notFound={`There is no rollout #${id} in ${cluster}.`}
      >
        <Link href={`/clusters/${encodeURIComponent(cluster)}/rollouts`}>All rollouts</Link>
      </ErrorNotice>
    );
  }
  const r = q.data;
  if (!r) return <p aria-busy="true">Loading rollout #{id}…</p>;
  const open = r.state === "running" || r.state === "paused";
  const busy = pause.isPending || resume.isPending || abort.isPending || cont.isPending;
  const ref = { cluster, id };
  // The rollout's own member changes are audited with the actor "rollout #N (who started it)".
  const auditHref = `/audit?cluster=${encodeURIComponent(cluster)}&actor=${encodeURIComponent(`rollout #${r.id} (`)}`;
  return (
    <>
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <h1>
          Rollout #{r.id} on {cluster}
        </h1>
        <Link className="button" href={`/clusters/${encodeURIComponent(cluster)}/rollouts`}>
          All rollouts
        </Link>
      </div>
      <section className="panel" aria-label="Overall progress">
        <p style={{ marginTop: 0 }}>
          <strong data-testid="rollout-state">{r.state}</strong>
          {r.request ? <span className="muted"> ({r.request} requested)</span> : null} · started by{" "}
          {r.startedBy ?? "unknown"} at {r.createdAt.toLocaleString()}
          {r.finishedAt ? ` · ended ${r.finishedAt.toLocaleString()}` : ""}
          {r.current ? (
            <>
              {" "}
              · now: <strong>{r.current.member}</strong> {r.current.phase}
            </>
          ) : null}
        </p>
        <progress aria-label="Overall progress" max={1} value={r.progress} style={{ width: "100%" }} />
        <span className="muted">{pct(r.progress)}</span>
        {r.message && (
          <p
            className={r.state === "paused" ? "alert error" : undefined}
            role={r.state === "paused" ? "alert" : undefined}
          >
            {r.message}
          </p>
        )}
        {canOperate && open && (
          <div className="toolbar" role="group" aria-label="Rollout controls">
            <button
              type="button"
              disabled={busy || r.state !== "running" || r.request === "pause"}
              onClick={() => pause.mutate(ref)}
            >
              Pause
            </button>
            <button type="button" disabled={busy || r.state !== "paused"} onClick={() => resume.mutate(ref)}>
              Resume
            </button>
            <button
              type="button"
              disabled={busy || !r.canContinue}
              title={r.canContinue ?? "nothing to continue now"}
              onClick={() => cont.mutate(ref)}
            >
              Continue{r.canContinue ? `: ${r.canContinue}` : ""}
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy || r.request === "abort"}
              onClick={() => setConfirmAbort(true)}
            >
              Abort…
            </button>
          </div>
        )}
        <ErrorNotice error={pause.error ?? resume.error ?? cont.error ?? abort.error} context="Not done" />
        <p>
          <Link href={auditHref}>Audit entries of this rollout&apos;s changes</Link> ·{" "}
          <Link href={`/audit?cluster=${encodeURIComponent(cluster)}&action=rollout.`}>Starts, pauses and aborts</Link>
        </p>
      </section>
      <section className="panel" aria-label="Members">
        <h2 style={{ marginTop: 0 }}>Members</h2>
        <table>
          <thead>
            <tr>
              <th>Member</th>
              <th>Phase</th>
              <th>State</th>
              <th style={{ width: "30%" }}>Progress</th>
              <th>Remaining</th>
            </tr>
          </thead>
          <tbody>
            {r.members.map((m) => {
              const wait = [...r.steps].reverse().find((s) => s.member === m.member && s.phase === "wait");
              return (
                <tr key={m.member} data-testid={`member-${m.member}`}>
                  <td>{m.member}</td>
                  <td>{m.phase}</td>
                  <td>
                    {m.state}
                    {m.message ? <div className="muted">{m.message}</div> : null}
                  </td>
                  <td>
                    <progress
                      aria-label={`${m.member} progress`}
                      max={1}
                      value={m.progress}
                      style={{ width: "100%" }}
                    />{" "}
                    {pct(m.progress)}
                  </td>
                  <td>
                    {m.remaining !== null ? `${m.remaining} left` : "—"}
                    {m.predictedFinishAt ? (
                      <div className="muted">done about {m.predictedFinishAt.toLocaleTimeString()}</div>
                    ) : null}
                    {wait && (
                      <Sparkline
                        samples={wait.samples}
                        label={`${m.member}: remaining over the wait, ${wait.samples.at(0)?.[1]} → ${wait.samples.at(-1)?.[1]}`}
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <RolloutTimeline steps={r.steps} auditHref={auditHref} />
      {confirmAbort && (
        <ConfirmDialog
          title={`Abort rollout #${r.id}`}
          confirmLabel="Abort rollout"
          danger
          pending={abort.isPending}
          onConfirm={() => abort.mutate(ref)}
          onClose={() => setConfirmAbort(false)}
        >
          <p>Each member is left as its phase says:</p>
          <ul>
            <li>not started or done: untouched;</li>
            <li>draining, waiting or stopped (not yet deployed): enabled again at its original weight;</li>
            <li>deploying or in the health gate: left stopped on every frontend, for you to check;</li>
            <li>in the weight ramp (new version, healthy): enabled at its original weight.</li>
          </ul>
        </ConfirmDialog>
      )}
    </>
  );
}
