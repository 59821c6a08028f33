"use client";
import Link from "next/link";
import type { TRolloutView } from "@/server/services/rollouts/schema";

type TLine = { frontend: string; text: string; bad: boolean };

/**
 * What each frontend said in one step, and the audit entries it wrote, found anywhere in the step's
 * result (member action results, balancer readings of the health gate, the ramp's per-step log).
 */
export function frontendResults(result: unknown): { lines: TLine[]; auditIds: number[] } {
  const lines: TLine[] = [];
  const auditIds: number[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    // A step's result is each phase's own JSON (declared unknown): read by looking, never by a cast.
    const o: Record<string, unknown> = Object.fromEntries(Object.entries(v));
    if (typeof o.auditId === "number") auditIds.push(o.auditId);
    if (typeof o.frontend === "string") {
      const outcome = typeof o.outcome === "string" ? o.outcome : null;
      const seen = [
        o.adminState,
        o.health,
        o.weight !== null && o.weight !== undefined ? `weight ${String(o.weight)}` : null,
      ]
        .filter((x) => typeof x === "string")
        .join(", ");
      const msg = typeof o.message === "string" ? o.message : typeof o.error === "string" ? o.error : null;
      lines.push({
        frontend: o.frontend,
        text: `${outcome ?? seen}${msg ? ` (${msg})` : ""}`,
        bad:
          (outcome !== null && outcome !== "done" && outcome !== "not-routed") ||
          typeof o.error === "string" ||
          o.health === "failing",
      });
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(result);
  return { lines, auditIds };
}

export function RolloutTimeline({ steps, auditHref }: { steps: TRolloutView["steps"]; auditHref: string }) {
  return (
    <section className="panel" aria-label="Timeline">
      <h2 style={{ marginTop: 0 }}>Timeline</h2>
      {steps.length === 0 ? (
        <p className="muted">No step has started yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Started</th>
              <th>Member</th>
              <th>Step</th>
              <th>State</th>
              <th>What happened</th>
              <th>Frontends</th>
            </tr>
          </thead>
          <tbody>
            {steps.map((s) => {
              const { lines, auditIds } = frontendResults(s.result);
              return (
                <tr key={s.id}>
                  <td>{s.startedAt.toLocaleTimeString()}</td>
                  <td>{s.member}</td>
                  <td>{s.phase}</td>
                  <td className={s.state === "failed" ? "field-error" : undefined}>{s.state}</td>
                  <td>
                    {s.message}
                    {s.output !== null && s.output !== "" && (
                      <details>
                        <summary>Output</summary>
                        <pre style={{ maxHeight: 240, overflow: "auto", whiteSpace: "pre-wrap" }}>{s.output}</pre>
                      </details>
                    )}
                  </td>
                  <td>
                    {lines.slice(-6).map((l, i) => (
                      <div key={i} className={l.bad ? "field-error" : undefined}>
                        {l.frontend}: {l.text}
                      </div>
                    ))}
                    {auditIds.length > 0 && (
                      <div className="muted">
                        audit{" "}
                        {auditIds.slice(-4).map((a) => (
                          <Link key={a} href={auditHref} title={`audit entry #${a}`} style={{ marginRight: ".25rem" }}>
                            #{a}
                          </Link>
                        ))}
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
