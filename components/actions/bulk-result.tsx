"use client";
import { useMutation } from "@tanstack/react-query";
import type { TRouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { STATE_VERB_NAMES, type TStateVerb } from "@/server/domain/member-verbs";

export type TBulkResult = TRouterOutputs["member"]["bulk"]["run"];

const OUTCOME_TEXT: Record<TBulkResult["members"][number]["frontends"][number]["outcome"], string> = {
  done: "done",
  failed: "failed",
  "not-verified": "not verified",
  unsupported: "not supported",
  "not-routed": "not routed",
};

/** Members shown in full; the rest are counted (every one is in the audit entry). */
const SHOWN = 50;

/**
 * The outcome of one bulk action, per member × frontend, problems first; "Retry the failed ones" sends
 * the same verb again to the members that did not take everywhere, on the frontends where they failed.
 */
export function BulkResult({
  result,
  onResult,
  onDismiss,
}: {
  result: TBulkResult;
  onResult: (r: TBulkResult) => void;
  onDismiss: () => void;
}) {
  const trpc = useTRPC();
  const retry = useMutation(trpc.member.bulk.run.mutationOptions({ onSuccess: onResult }));
  const verb = result.action.replace(/^member\.bulk\./, "") as TStateVerb;
  const failed = result.members.filter((m) => m.overall !== "done");
  const failedFrontends = [
    ...new Set(
      failed.flatMap((m) =>
        m.frontends.filter((f) => f.outcome === "failed" || f.outcome === "not-verified").map((f) => f.frontendId),
      ),
    ),
  ];
  const ordered = [...failed, ...result.members.filter((m) => m.overall === "done")];
  const frontends = result.members[0]?.frontends.map((f) => f.frontend) ?? [];
  const done = result.members.length - failed.length;
  return (
    <section
      className={`alert ${result.overall === "done" ? "info" : "error"}`}
      role="status"
      aria-live="polite"
      aria-label={`Result of ${result.action}`}
    >
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <strong>
          {result.action}: {done} of {result.members.length} member(s) confirmed on every frontend
          {result.overall === "done" ? "" : result.overall === "partial" ? " (PARTIAL)" : " (FAILED)"}
        </strong>
        <span className="toolbar">
          {failedFrontends.length > 0 && STATE_VERB_NAMES.includes(verb) && (
            <button
              type="button"
              disabled={retry.isPending}
              onClick={() =>
                retry.mutate({
                  cluster: result.cluster,
                  verb,
                  members: failed.map((m) => m.member),
                  force: false,
                  frontendIds: failedFrontends,
                })
              }
            >
              {retry.isPending ? "Retrying…" : `Retry the ${failed.length} failed`}
            </button>
          )}
          <button type="button" onClick={onDismiss} aria-label="Dismiss result">
            ×
          </button>
        </span>
      </div>
      <ErrorNotice error={retry.error} context="Retry failed" inline />
      <div className="result-scroll">
        <table style={{ marginTop: ".5rem", background: "transparent" }} aria-label="Result per member and frontend">
          <thead>
            <tr>
              <th scope="col">Member</th>
              {frontends.map((f) => (
                <th scope="col" key={f}>
                  {f}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ordered.slice(0, SHOWN).map((m) => (
              <tr key={m.member} aria-label={`${m.member}: ${m.overall}`}>
                <th scope="row">{m.member}</th>
                {m.frontends.map((f) => (
                  <td
                    key={f.frontendId}
                    aria-label={`${m.member} on ${f.frontend}: ${f.outcome}`}
                    title={f.message ?? undefined}
                    className={f.outcome === "failed" || f.outcome === "not-verified" ? "field-error" : undefined}
                  >
                    {OUTCOME_TEXT[f.outcome]}
                    {f.observed && f.outcome === "done" ? ` (${f.observed.adminState})` : ""}
                    {f.message && f.outcome !== "done" && f.outcome !== "not-routed" && (
                      <div className="muted" style={{ fontSize: ".8rem" }}>
                        {f.message}
                      </div>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {ordered.length > SHOWN && (
        <p className="muted">
          … and {ordered.length - SHOWN} more members
          {failed.length > SHOWN ? `, ${failed.length - SHOWN} of them not done everywhere` : ", all done"} (every one
          is in the audit entry).
        </p>
      )}
      <p style={{ margin: ".5rem 0 0" }} className="muted">
        Audit entry #{result.auditId}
      </p>
    </section>
  );
}
