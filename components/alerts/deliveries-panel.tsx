"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";

/** The outbox: dead letters by default (what needs a person), or every recent delivery. */
export function DeliveriesPanel({ canOperate }: { canOperate: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [state, setState] = useState<"dead" | "pending" | "all">("dead");
  const q = useQuery({ ...trpc.alert.deliveries.queryOptions({ state, limit: 50 }), refetchInterval: 5000 });
  const retry = useMutation(
    trpc.alert.retryDelivery.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.alert.pathKey() }),
    }),
  );
  const rows = q.data?.deliveries ?? [];
  return (
    <section className="panel" aria-label="Deliveries" style={{ marginTop: "1rem" }}>
      <h2>Deliveries</h2>
      <label>
        Show
        <select value={state} onChange={(e) => setState(e.target.value as typeof state)}>
          <option value="dead">dead letters (gave up)</option>
          <option value="pending">waiting to be sent or retried</option>
          <option value="all">all recent</option>
        </select>
      </label>
      <ErrorNotice error={q.error} context="Cannot load the deliveries" />
      <ErrorNotice error={retry.error} context="Cannot retry the delivery" />
      {q.data && rows.length === 0 && (
        <p className="muted">
          {state === "dead"
            ? "No dead letters: every notification was delivered or is being retried."
            : "Nothing here."}
        </p>
      )}
      {rows.length > 0 && (
        <table aria-label="Notification deliveries">
          <thead>
            <tr>
              <th scope="col">Queued</th>
              <th scope="col">Receiver</th>
              <th scope="col">Event</th>
              <th scope="col">Alert</th>
              <th scope="col">State</th>
              <th scope="col">Tries</th>
              <th scope="col">Last error</th>
              {canOperate && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id} aria-label={`Delivery ${d.id} ${d.state}`}>
                <td>{d.createdAt.toLocaleString()}</td>
                <td>{d.receiver}</td>
                <td>{d.event}</td>
                <td>{d.summary}</td>
                <td>
                  <span
                    className={`badge ${d.state === "delivered" ? "healthy" : d.state === "dead" ? "failing" : "degraded"}`}
                  >
                    {d.state}
                  </span>
                  {d.state === "pending" && d.attempts > 0 && (
                    <span className="muted"> next try {d.nextAttemptAt.toLocaleTimeString()}</span>
                  )}
                </td>
                <td>{d.attempts}</td>
                <td>{d.lastError ?? "–"}</td>
                {canOperate && (
                  <td>
                    {d.state === "dead" && (
                      <button type="button" disabled={retry.isPending} onClick={() => retry.mutate({ id: d.id })}>
                        Retry
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
