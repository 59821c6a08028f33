"use client";
import type { TBalancerSettingResult } from "@/components/actions/balancer-settings-dialog";

const OUTCOME_TEXT: Record<TBalancerSettingResult["outcome"], string> = {
  done: "done (confirmed by reading it back)",
  "not-verified": "not verified",
  failed: "failed",
};

/**
 * The outcome of one dialog's changes on one frontend: per setting, what the status page showed before and
 * shows now (read back), and the frontend's own message when it did not take. Like a member action's result.
 */
export function BalancerSettingsResult({
  frontend,
  results,
  onDismiss,
}: {
  frontend: string;
  results: TBalancerSettingResult[];
  onDismiss: () => void;
}) {
  const allDone = results.every((r) => r.outcome === "done");
  return (
    <section
      className={`alert ${allDone ? "info" : "error"}`}
      role="status"
      aria-live="polite"
      aria-label={`Result of balancer settings on ${frontend}`}
    >
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <strong>
          Balancer settings on {frontend}:{" "}
          {allDone
            ? "done"
            : results.some((r) => r.outcome === "done")
              ? "PARTIAL: not every setting confirmed"
              : "NOT applied"}
        </strong>
        <button type="button" onClick={onDismiss} aria-label="Dismiss result">
          ×
        </button>
      </div>
      <table style={{ marginTop: ".5rem", background: "transparent" }}>
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">Outcome</th>
            <th scope="col">Before</th>
            <th scope="col">Reads back as</th>
            <th scope="col">Message</th>
            <th scope="col">Audit</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => (
            <tr key={r.auditId} aria-label={`${r.name}: ${r.outcome}`}>
              <th scope="row">{r.name}</th>
              <td>{OUTCOME_TEXT[r.outcome]}</td>
              <td>{r.before ?? "–"}</td>
              <td>{r.shown ?? "–"}</td>
              <td>{r.message ?? ""}</td>
              <td>#{r.auditId}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
