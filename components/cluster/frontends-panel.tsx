"use client";
import type { ReactNode } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { StateBadge } from "@/components/health-badge";
import { RelativeTime } from "@/components/relative-time";

type TFrontend = inferRouterOutputs<AppRouter>["cluster"]["get"]["frontends"][number];

/**
 * Each frontend's last poll: answering or not, its error in its own words, and when it last answered.
 * `actionsFor` (operators only) adds a column with what can be done to each frontend.
 */
export function FrontendsPanel({
  frontends,
  actionsFor,
}: {
  frontends: TFrontend[];
  actionsFor?: (f: TFrontend) => ReactNode;
}) {
  if (frontends.length === 0) {
    return <div className="empty">This cluster has no frontends yet. Add one in the inventory to start polling.</div>;
  }
  return (
    <table>
      <caption>Frontends</caption>
      <thead>
        <tr>
          <th scope="col">Frontend</th>
          <th scope="col">Kind</th>
          <th scope="col">Status page</th>
          <th scope="col">Poll</th>
          <th scope="col">Last poll</th>
          <th scope="col">Last good poll</th>
          {actionsFor && <th scope="col">Balancer</th>}
        </tr>
      </thead>
      <tbody>
        {frontends.map((f) => (
          <tr key={f.id} aria-label={`Frontend ${f.name}`}>
            <th scope="row">
              {f.name} <span className="muted">({f.balancer})</span>
            </th>
            <td>
              {f.kindLabel}
              {Object.entries(f.notes).map(([state, note]) => (
                <div key={state} className="muted" style={{ fontSize: ".8rem" }} aria-label={`${f.name} ${state}`}>
                  {state}: {note}
                </div>
              ))}
            </td>
            <td>
              {/* A runtime API socket (tcp://, unix:) is an address, not a page a browser can open. */}
              {/^https?:\/\//.test(f.url) ? (
                <a href={f.url} target="_blank" rel="noreferrer">
                  {f.url}
                </a>
              ) : (
                <code>{f.url}</code>
              )}
            </td>
            <td>
              {!f.enabled ? (
                <StateBadge state="unknown" title="Polling is switched off for this frontend" />
              ) : f.up === null ? (
                <span className="muted">waiting for first poll…</span>
              ) : f.up ? (
                <StateBadge state="up" />
              ) : (
                <>
                  <StateBadge state="down" />
                  <div className="field-error" role="status">
                    {f.error}
                  </div>
                </>
              )}
            </td>
            <td>
              <RelativeTime at={f.lastPollAt} />{" "}
              {f.durationMs !== null && <span className="muted">({f.durationMs} ms)</span>}
            </td>
            <td>
              <RelativeTime at={f.lastGoodAt} />
            </td>
            {actionsFor && <td>{actionsFor(f)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
