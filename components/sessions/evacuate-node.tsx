"use client";
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { ConfirmDialog } from "@/components/actions/confirm-dialog";

/**
 * Evacuate one store node (kinds with the evacuateNode capability: MSM): a dry run first (which sessions
 * lack their copy on the node the application falls back to), then the real run with a progress bar.
 * Nothing is deleted; the node is reported safe to take down at the end.
 */
export function EvacuateNode({
  cluster,
  store,
  node,
  fallback,
}: {
  cluster: string;
  store: string;
  node: string;
  fallback: string | null;
}) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [opId, setOpId] = useState<number | null>(null);
  const start = useMutation(trpc.store.evacuateNode.mutationOptions({ onSuccess: (op) => setOpId(op.id) }));
  const op = useQuery({
    ...trpc.operation.get.queryOptions({ id: opId ?? 0 }),
    enabled: opId !== null,
    refetchInterval: (q) => (q.state.data && ["done", "failed"].includes(q.state.data.state) ? false : 500),
  });
  const o = op.data;
  const finished = o && (o.state === "done" || o.state === "failed");
  return (
    <>
      <button
        type="button"
        onClick={() => {
          setOpen(true);
          setOpId(null);
          start.reset();
        }}
      >
        Evacuate {node}…
      </button>
      {open && (
        <ConfirmDialog
          title={`Evacuate node ${node} (${store})`}
          confirmLabel={o?.dryRun === true && finished ? "Evacuate now" : "Dry run"}
          pending={start.isPending || (o !== undefined && !finished)}
          onConfirm={() => start.mutate({ cluster, store, node, dryRun: !(o?.dryRun === true && finished) })}
          onClose={() => setOpen(false)}
        >
          <p>
            For every session whose primary copy is on {node} (as the session index lists them), make sure its copy is
            on {fallback ?? "the node the application falls back to"}, with the remaining TTL, then read it back.
            Nothing is deleted, and {node} keeps serving meanwhile. Start with a dry run.
          </p>
          <ErrorNotice error={start.error} context={`Cannot evacuate ${node}`} />
          {o && (
            <div role="status" aria-live="polite" aria-label="Evacuation progress">
              <p style={{ marginBottom: ".25rem" }}>
                {o.dryRun ? "Dry run" : "Evacuation"} #{o.id}: {o.state}
                {o.total > 0 ? ` — ${o.processed.toLocaleString()} of ${o.total.toLocaleString()} sessions` : ""}
              </p>
              <progress
                aria-label={`${o.dryRun ? "Dry run" : "Evacuation"} progress`}
                max={Math.max(o.total, 1)}
                value={o.total === 0 && finished ? 1 : o.processed}
                style={{ width: "100%" }}
              />
              <p className="muted" style={{ margin: ".25rem 0" }}>
                {o.changed.toLocaleString()} {o.dryRun ? "would be copied" : "copied"} · {o.alreadyOk.toLocaleString()}{" "}
                already safe · {o.failedCount.toLocaleString()} failed
              </p>
              {o.message && <p className={o.state === "failed" ? "field-error" : undefined}>{o.message}</p>}
            </div>
          )}
        </ConfirmDialog>
      )}
    </>
  );
}
