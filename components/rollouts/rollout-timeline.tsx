"use client";
import Link from "next/link";
import type { TRolloutView } from "@/server/services/rollouts/schema";

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
              const { frontends: lines, auditIds } = s.result;
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
