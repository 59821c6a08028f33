"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { RelativeTime } from "@/components/relative-time";
import { SilenceForm } from "@/components/alerts/silence-form";
import type { TRouterOutputs } from "@/components/api-types";

type TAlert = TRouterOutputs["alert"]["list"]["alerts"][number];

/** The subject of an alert: its labels without the ones every alert has. */
function subject(a: TAlert): string {
  return Object.entries(a.labels)
    .filter(([k]) => !["alertname", "severity", "cluster"].includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

/** Current alerts (refreshed every 5 s) or the resolved history, a page at a time. */
export function AlertTable({
  cluster,
  state,
  canOperate,
}: {
  cluster: string;
  state: "current" | "resolved";
  canOperate: boolean;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [beforeId, setBeforeId] = useState<number | undefined>(undefined);
  const [silencing, setSilencing] = useState<TAlert | null>(null);
  const input = {
    cluster: cluster || undefined,
    state,
    limit: 50,
    beforeId: state === "resolved" ? beforeId : undefined,
  };
  const q = useQuery({ ...trpc.alert.list.queryOptions(input), refetchInterval: state === "current" ? 5000 : false });
  const refresh = { onSuccess: () => qc.invalidateQueries({ queryKey: trpc.alert.pathKey() }) };
  const ack = useMutation(trpc.alert.acknowledge.mutationOptions(refresh));
  const alerts = q.data?.alerts ?? [];
  return (
    <section aria-label={state === "current" ? "Current alerts" : "Resolved alerts"}>
      <ErrorNotice error={q.error} context="Cannot load the alerts" />
      <ErrorNotice error={ack.error} context="Cannot acknowledge the alert" />
      {q.isPending && <p aria-busy="true">Loading…</p>}
      {q.data && alerts.length === 0 && (
        <div className="empty">
          {state === "current"
            ? `Nothing is firing${cluster ? ` in ${cluster}` : ""}. Rules are judged on every poll.`
            : "No resolved alerts yet."}
        </div>
      )}
      {alerts.length > 0 && (
        <table aria-label="Alerts" style={{ marginTop: "1rem" }}>
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col">Alert</th>
              <th scope="col">Cluster</th>
              <th scope="col">Subject</th>
              <th scope="col">Since</th>
              <th scope="col">Notes</th>
              {canOperate && state === "current" && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <tr key={a.fingerprint + (a.id ?? "p")} aria-label={`${a.state} ${a.alertname}: ${a.summary}`}>
                <td>
                  <span
                    className={`badge ${a.state === "firing" ? (a.severity === "critical" ? "failing" : "warning") : a.state === "pending" ? "degraded" : "healthy"}`}
                  >
                    {a.state}
                  </span>{" "}
                  <span className="muted">{a.severity}</span>
                </td>
                <td>
                  <details>
                    <summary>{a.summary}</summary>
                    <p>{a.description}</p>
                    <p className="muted">
                      {a.alertname} · fingerprint {a.fingerprint}
                    </p>
                  </details>
                </td>
                <td>{a.cluster}</td>
                <td>{subject(a) || "–"}</td>
                <td>
                  <RelativeTime at={a.startsAt ?? a.activeSince} />
                  {a.endsAt && (
                    <>
                      {" "}
                      → resolved <RelativeTime at={a.endsAt} />
                    </>
                  )}
                </td>
                <td>
                  {a.firesAt && (
                    <span>
                      fires <RelativeTime at={a.firesAt} /> if it still holds.{" "}
                    </span>
                  )}
                  {a.silence && (
                    <span className="badge standby">silenced until {a.silence.endsAt.toLocaleString()}</span>
                  )}{" "}
                  {a.acknowledgedBy && <span className="muted">acknowledged by {a.acknowledgedBy}</span>}
                  {a.state === "firing" && !a.notified && !a.silence && <span className="muted">notifying…</span>}
                </td>
                {canOperate && state === "current" && (
                  <td className="toolbar">
                    {a.state === "firing" && a.id !== null && !a.acknowledgedBy && (
                      <button type="button" disabled={ack.isPending} onClick={() => ack.mutate({ id: a.id! })}>
                        Acknowledge
                      </button>
                    )}
                    {!a.silence && (
                      <button type="button" onClick={() => setSilencing(a)}>
                        Silence…
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state === "resolved" && (
        <div className="toolbar" style={{ marginTop: ".75rem" }}>
          {beforeId !== undefined && (
            <button type="button" onClick={() => setBeforeId(undefined)}>
              Newest
            </button>
          )}
          {q.data?.nextBeforeId && (
            <button type="button" onClick={() => setBeforeId(q.data.nextBeforeId ?? undefined)}>
              Older
            </button>
          )}
        </div>
      )}
      {silencing && <SilenceForm alert={silencing} onClose={() => setSilencing(null)} />}
    </section>
  );
}
