"use client";
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { ConfirmDialog } from "@/components/actions/confirm-dialog";
import { OperationProgress, useOperation } from "@/components/sessions/operation-progress";
import { ZReplaceReport } from "@/server/services/operations/operation-schema";

const WORDS = { unit: "keys", changed: "copied", dryChanged: "would be copied", ok: "already there, kept or gone" };
const ADDRESS = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

/**
 * Replace the server behind one store node (the node id stays): a dry run first, then, confirmed, the
 * copy with a progress bar, the verification on the new server and the configuration change to make.
 */
export function ReplaceServer({ cluster }: { cluster: string }) {
  const trpc = useTRPC();
  // The stores whose kind can copy a node's keys to a new server (capability replaceNode), never by kind.
  const stores = useQuery(trpc.store.list.queryOptions({ cluster })).data?.filter((s) => s.capabilities.replaceNode);
  const [store, setStore] = useState("");
  const [node, setNode] = useState("");
  const [address, setAddress] = useState("");
  const [dryId, setDryId] = useState<number | null>(null);
  const [realId, setRealId] = useState<number | null>(null);
  const [confirming, setConfirming] = useState(false);
  const start = useMutation(trpc.store.replaceNode.mutationOptions());
  const dry = useOperation(dryId, ZReplaceReport);
  const real = useOperation(realId, ZReplaceReport);
  const chosen = stores?.find((s) => s.store === store);
  const parsed = ADDRESS.exec(address.trim());
  const reset = () => {
    setDryId(null);
    setRealId(null);
    start.reset();
  };
  const run = (dryRun: boolean) =>
    start.mutate(
      { cluster, store, node, host: parsed![1]!, port: Number(parsed![2]), dryRun },
      { onSuccess: (op) => (dryRun ? setDryId(op.id) : setRealId(op.id)) },
    );
  const report = real.report;

  return (
    <section aria-labelledby="replace-h">
      <h2 id="replace-h">Replace a store server</h2>
      <p className="muted">
        Copies every session key of one node to a new, empty server with the remaining TTLs, keeping the node id
        (session ids contain it). Nothing on the old server is changed or deleted. Afterwards you point the application
        at the new server.
      </p>
      <form
        className="inline panel"
        aria-label="Replace a store server"
        onSubmit={(e) => {
          e.preventDefault();
          reset();
          run(true);
        }}
      >
        <label>
          Store
          <select
            value={store}
            onChange={(e) => {
              setStore(e.target.value);
              setNode("");
              reset();
            }}
          >
            <option value="">choose…</option>
            {stores?.map((s) => (
              <option key={s.store} value={s.store}>
                {s.store} ({s.kindLabel})
              </option>
            ))}
          </select>
        </label>
        <label>
          Node
          <select
            value={node}
            onChange={(e) => {
              setNode(e.target.value);
              reset();
            }}
            disabled={!chosen}
          >
            <option value="">choose…</option>
            {chosen?.nodes.map((n) => (
              <option key={n.node} value={n.node}>
                {n.node}
              </option>
            ))}
          </select>
        </label>
        <label>
          New server (host:port)
          <input
            value={address}
            onChange={(e) => {
              setAddress(e.target.value);
              reset();
            }}
            placeholder="10.0.0.7:11211"
            spellCheck={false}
            aria-invalid={address !== "" && !parsed}
          />
        </label>
        <button
          type="submit"
          className="primary"
          disabled={!store || !node || !parsed || start.isPending || (dry.o !== undefined && !dry.finished)}
        >
          Dry run
        </button>
      </form>
      {address !== "" && !parsed && (
        <p className="field-error">Give the new server as host:port, e.g. 10.0.0.7:11211</p>
      )}
      <ErrorNotice error={start.error} context="Cannot start the replacement" />
      {dry.o && <OperationProgress o={dry.o} label="Replacement" words={WORDS} />}
      {dry.finished && dry.o?.state === "done" && realId === null && (
        <button type="button" className="primary" onClick={() => setConfirming(true)}>
          Replace {node} now…
        </button>
      )}
      {confirming && dry.o && (
        <ConfirmDialog
          title={`Replace the server behind ${store}/${node}`}
          confirmLabel="Copy now"
          pending={start.isPending}
          onConfirm={() => {
            run(false);
            setConfirming(false);
          }}
          onClose={() => setConfirming(false)}
        >
          <p>
            Copies {dry.o.changed.toLocaleString()} session keys of {node} to <code>{address.trim()}</code> with their
            remaining TTLs, then compares keys and bytes there.
          </p>
          <ul>
            <li>
              Nothing on the current server of {node} is changed or deleted; users keep being served from it until you
              change the configuration.
            </li>
            <li>A key the application already wrote on the new server is never overwritten by an older copy.</li>
            <li>The new server takes memory for every copied key; the copy adds load on both servers while it runs.</li>
          </ul>
        </ConfirmDialog>
      )}
      {real.o && <OperationProgress o={real.o} label="Replacement" words={WORDS} />}
      {report && (
        <div className="panel" role="region" aria-label="Replacement result" style={{ marginTop: ".5rem" }}>
          {report.verification && (
            <p>
              Verified on the new server: <strong>{report.verification.targetKeys.toLocaleString()}</strong> of{" "}
              {report.verification.sourceKeys.toLocaleString()} keys, {report.verification.targetBytes.toLocaleString()}{" "}
              of {report.verification.sourceBytes.toLocaleString()} bytes · {report.verification.missing} missing ·{" "}
              {report.verification.differs} different
              {report.complete ? " — complete" : " — not complete yet"}
            </p>
          )}
          {report.failures && report.failures.length > 0 && (
            <ul aria-label="Keys that failed">
              {report.failures.map((f) => (
                <li key={f.key}>
                  <code>{f.key}</code>: {f.reason}
                </li>
              ))}
            </ul>
          )}
          {report.configChange && real.o?.state === "done" && (
            <>
              <h3>Configuration change to make</h3>
              <ol aria-label="Configuration change">
                {report.configChange.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ol>
            </>
          )}
        </div>
      )}
    </section>
  );
}
