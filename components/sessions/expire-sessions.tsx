"use client";
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { ConfirmDialog } from "@/components/actions/confirm-dialog";
import { OperationProgress, useOperation } from "@/components/sessions/operation-progress";
import { ZExpireReport, type TExpireResult } from "@/server/services/operations/operation-schema";

const WORDS = { unit: "sessions", changed: "removed", dryChanged: "found", ok: "not found" };
const RESULT_TEXT: Record<TExpireResult["result"], string> = {
  removed: "removed",
  found: "will be removed",
  "not-found": "not found",
  failed: "failed",
};

/**
 * Expire one or more sessions everywhere they are stored. Self-contained, so any list (the session table's
 * selected rows, a located session) can offer it: opening it runs a dry run that lists every key and copy
 * that would be removed; confirming removes them; the result is given per session.
 */
export function ExpireSessions({ cluster, ids, onDone }: { cluster: string; ids: string[]; onDone?: () => void }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [dryId, setDryId] = useState<number | null>(null);
  const [realId, setRealId] = useState<number | null>(null);
  const start = useMutation(trpc.session.expire.mutationOptions());
  const dry = useOperation(dryId, ZExpireReport);
  const real = useOperation(realId, ZExpireReport);
  const shown = realId !== null ? real : dry;
  const results = shown.report?.results ?? [];
  const run = (dryRun: boolean) =>
    start.mutate({ cluster, ids, dryRun }, { onSuccess: (op) => (dryRun ? setDryId(op.id) : setRealId(op.id)) });
  const what = ids.length === 1 ? "session" : `${ids.length} sessions`;
  const canConfirm = dry.finished && dry.o?.state === "done" && (dry.o?.changed ?? 0) > 0 && realId === null;

  return (
    <>
      <button
        type="button"
        className="danger"
        disabled={ids.length === 0}
        onClick={() => {
          setOpen(true);
          setDryId(null);
          setRealId(null);
          start.reset();
          run(true);
        }}
      >
        Expire {what}…
      </button>
      {open && (
        <ConfirmDialog
          title={`Expire ${what}`}
          confirmLabel={realId !== null ? "Expired" : "Expire now"}
          danger
          pending={start.isPending || (shown.o !== undefined && !shown.finished)}
          confirmDisabled={!canConfirm}
          onConfirm={() => run(false)}
          onClose={() => {
            setOpen(false);
            if (realId !== null) onDone?.();
          }}
        >
          <p>
            Removes every key and copy of {ids.length === 1 ? <code>{ids[0]}</code> : what} in every store of the
            cluster (primary and backup copies, validity and lock keys, in-memory replicas). The user&apos;s next
            request starts a new, empty session: whatever the session held (a login, a cart) is gone. The dry run below
            lists what will be removed.
          </p>
          <ErrorNotice error={start.error} context="Cannot expire the sessions" />
          {shown.o && <OperationProgress o={shown.o} label="Expiry" words={WORDS} />}
          {results.length > 0 && (
            <table aria-label="Expiry per session">
              <thead>
                <tr>
                  <th scope="col">Session</th>
                  <th scope="col">Result</th>
                  <th scope="col">Keys</th>
                </tr>
              </thead>
              <tbody>
                {results.map((r) => (
                  <tr key={r.sessionId} aria-label={`${r.sessionId}: ${RESULT_TEXT[r.result]}`}>
                    <th scope="row">
                      <code>{r.sessionId}</code>
                    </th>
                    <td className={r.result === "failed" ? "field-error" : undefined}>
                      {RESULT_TEXT[r.result]}
                      {r.errors.map((e) => ` — ${e.store}: ${e.reason}`).join("")}
                      {(r.notes ?? []).map((n) => (
                        <div key={n.store} className="muted">
                          {n.store}: {n.note}
                        </div>
                      ))}
                    </td>
                    <td>
                      {r.keys.map((k) => (
                        <div key={`${k.store}/${k.node}/${k.key}`}>
                          <code>{k.key}</code>{" "}
                          <span className="muted">
                            on {k.store}/{k.node}
                          </span>
                        </div>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </ConfirmDialog>
      )}
    </>
  );
}

/** Paste one or more session ids (spaces, commas or new lines between them) and expire them. */
export function ExpireSessionForm({ cluster }: { cluster: string }) {
  const [text, setText] = useState("");
  const ids = [...new Set(text.split(/[\s,;]+/).filter((s) => s.length > 0))];
  return (
    <section aria-labelledby="expire-h">
      <h2 id="expire-h">Expire sessions</h2>
      <div className="inline panel">
        <label style={{ flex: 1 }}>
          Session ids (one or more)
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E-n1.tomcat1"
            spellCheck={false}
            style={{ fontFamily: "monospace" }}
          />
        </label>
        <ExpireSessions cluster={cluster} ids={ids} onDone={() => setText("")} />
      </div>
    </section>
  );
}
