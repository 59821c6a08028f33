"use client";
import type { TRouterOutputs } from "@/components/api-types";
import { StateBadge } from "@/components/health-badge";
import { formatSettings } from "@/components/actions/settings-text";

export type TActionResult = TRouterOutputs["member"]["drain"];

const OUTCOME_TEXT: Record<TActionResult["frontends"][number]["outcome"], string> = {
  done: "done (confirmed by reading it back)",
  failed: "failed",
  "not-verified": "not verified",
  unsupported: "not supported by this frontend",
  "not-routed": "does not route to this member",
};

/** Per-frontend outcome of one action; a partial or failed result offers a retry of what did not take. */
export function ActionResult({
  result,
  onRetry,
  retrying,
  onDismiss,
}: {
  result: TActionResult;
  onRetry: (frontendIds: number[]) => void;
  retrying: boolean;
  onDismiss: () => void;
}) {
  const retryable = result.frontends
    .filter((f) => f.outcome === "failed" || f.outcome === "not-verified")
    .map((f) => f.frontendId);
  const tone = result.overall === "done" ? "info" : "error";
  return (
    <section
      className={`alert ${tone}`}
      role="status"
      aria-live="polite"
      aria-label={`Result of ${result.action} ${result.member}`}
    >
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <strong>
          {result.action} {result.member}:{" "}
          {result.overall === "done"
            ? result.frontends.some((f) => f.outcome === "unsupported")
              ? "done on every frontend that offers it"
              : "done on every frontend"
            : result.overall === "partial"
              ? "PARTIAL: not every frontend confirmed"
              : "FAILED on every frontend"}
        </strong>
        <span className="toolbar">
          {retryable.length > 0 && (
            <button type="button" onClick={() => onRetry(retryable)} disabled={retrying}>
              {retrying ? "Retrying…" : `Retry on ${retryable.length} frontend(s)`}
            </button>
          )}
          <button type="button" onClick={onDismiss} aria-label="Dismiss result">
            ×
          </button>
        </span>
      </div>
      <table style={{ marginTop: ".5rem", background: "transparent" }}>
        <thead>
          <tr>
            <th scope="col">Frontend</th>
            <th scope="col">Outcome</th>
            <th scope="col">Reads back as</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {result.frontends.map((f) => (
            <tr key={f.frontendId} aria-label={`${f.frontend}: ${f.outcome}`}>
              <th scope="row">{f.frontend}</th>
              <td>{OUTCOME_TEXT[f.outcome]}</td>
              <td>
                {f.observed && result.action === "member.setSetting" ? (
                  formatSettings(f.observed.settings)
                ) : f.observed ? (
                  <>
                    <StateBadge state={f.observed.adminState} /> weight {f.observed.loadfactor}
                  </>
                ) : (
                  "–"
                )}
              </td>
              <td>{f.message ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p style={{ margin: ".5rem 0 0" }} className="muted">
        Audit entry #{result.auditId}
      </p>
    </section>
  );
}
