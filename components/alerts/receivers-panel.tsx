"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { ConfirmDialog } from "@/components/actions/confirm-dialog";
import type { TRouterOutputs } from "@/components/api-types";

type TReceiver = TRouterOutputs["alert"]["receivers"][number];

/** Admins add an Alertmanager or a webhook; the secret is write-only. */
function AddReceiver() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [kind, setKind] = useState<"alertmanager" | "webhook">("alertmanager");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const add = useMutation(
    trpc.alert.createReceiver.mutationOptions({
      onSuccess: async () => {
        setName("");
        setUrl("");
        setSecret("");
        await qc.invalidateQueries({ queryKey: trpc.alert.receivers.queryKey() });
      },
    }),
  );
  return (
    <form
      className="inline"
      aria-label="Add a receiver"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate({ name, kind, url, secret: kind === "webhook" && secret ? secret : null });
      }}
    >
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          <option value="alertmanager">Alertmanager (API v2)</option>
          <option value="webhook">Webhook (signed JSON)</option>
        </select>
      </label>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        URL
        <input
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder={kind === "alertmanager" ? "http://alertmanager:9093" : "https://hooks.example/clusterdeck"}
          required
        />
      </label>
      {kind === "webhook" && (
        <label>
          Signing secret
          <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="off" />
        </label>
      )}
      <button type="submit" className="primary" disabled={add.isPending}>
        Add receiver
      </button>
      <ErrorNotice error={add.error} context="Cannot add the receiver" />
    </form>
  );
}

/** Where notifications go, how delivery goes, and (operators) a test button. */
export function ReceiversPanel({ canOperate, isAdmin }: { canOperate: boolean; isAdmin: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const q = useQuery({ ...trpc.alert.receivers.queryOptions({}), refetchInterval: 5000 });
  const refresh = { onSuccess: () => qc.invalidateQueries({ queryKey: trpc.alert.pathKey() }) };
  const test = useMutation(trpc.alert.testReceiver.mutationOptions(refresh));
  const update = useMutation(trpc.alert.updateReceiver.mutationOptions(refresh));
  const remove = useMutation(trpc.alert.deleteReceiver.mutationOptions(refresh));
  const [deleting, setDeleting] = useState<TReceiver | null>(null);
  return (
    <section className="panel" aria-label="Receivers" style={{ marginTop: "1rem" }}>
      <h2>Receivers</h2>
      <ErrorNotice error={q.error} context="Cannot load the receivers" />
      <ErrorNotice error={test.error ?? update.error} context="The receiver was not changed" />
      {test.data && (
        <p role="status">
          Test notification queued for {test.data.receiver} (delivery #{test.data.id}); its outcome shows under
          Deliveries.
        </p>
      )}
      {q.data?.length === 0 && (
        <p className="muted">
          No receiver: alerts show here only.{" "}
          {isAdmin ? "Add Alertmanager or a webhook below." : "An admin can add one."}
        </p>
      )}
      {q.data && q.data.length > 0 && (
        <table aria-label="Notification receivers">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              {isAdmin && <th scope="col">URL</th>}
              <th scope="col">State</th>
              <th scope="col">Last delivered</th>
              <th scope="col">Problem</th>
              {canOperate && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {q.data.map((r) => (
              <tr key={r.id} aria-label={`Receiver ${r.name}`}>
                <td>{r.name}</td>
                <td>
                  {r.kindLabel}
                  {r.hasSecret && <span className="muted"> · signed</span>}
                </td>
                {isAdmin && <td>{r.url}</td>}
                <td>
                  <span
                    className={`badge ${!r.enabled ? "standby" : r.dead > 0 ? "failing" : r.pending > 0 ? "degraded" : "healthy"}`}
                  >
                    {!r.enabled ? "off" : r.dead > 0 ? `${r.dead} dead` : r.pending > 0 ? `${r.pending} waiting` : "ok"}
                  </span>
                </td>
                <td>{r.lastDelivered ? r.lastDelivered.toLocaleString() : "never"}</td>
                <td>{r.lastError ?? (r.lastResend && !r.lastResend.ok ? `re-send: ${r.lastResend.error}` : "–")}</td>
                {canOperate && (
                  <td className="toolbar">
                    <button
                      type="button"
                      disabled={test.isPending || !r.enabled}
                      onClick={() => test.mutate({ id: r.id })}
                    >
                      Send test
                    </button>
                    {isAdmin && (
                      <>
                        <button type="button" onClick={() => update.mutate({ id: r.id, enabled: !r.enabled })}>
                          {r.enabled ? "Turn off" : "Turn on"}
                        </button>
                        <button type="button" onClick={() => setDeleting(r)}>
                          Delete…
                        </button>
                      </>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {isAdmin && <AddReceiver />}
      {deleting && (
        <ConfirmDialog
          title={`Delete receiver ${deleting.name}?`}
          confirmLabel="Delete"
          danger
          pending={remove.isPending}
          onClose={() => setDeleting(null)}
          onConfirm={() => remove.mutate({ id: deleting.id }, { onSuccess: () => setDeleting(null) })}
        >
          <p>
            Alerts are no longer sent there, and its {deleting.pending} waiting and {deleting.dead} dead deliveries are
            dropped. Alertmanager forgets the firing alerts it had from ClusterDeck after their end time passes.
          </p>
          <ErrorNotice error={remove.error} context="Cannot delete the receiver" />
        </ConfirmDialog>
      )}
    </section>
  );
}
