"use client";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { StateBadge } from "@/components/health-badge";
import { formatBytes, formatRate } from "@/components/cluster/format";
import { MemberActions } from "@/components/actions/member-actions";
import type { TActionResult } from "@/components/actions/action-result";

type TView = inferRouterOutputs<AppRouter>["cluster"]["get"];

/**
 * One row per member, one column group per frontend, so each frontend's admin state and health sit
 * side by side; rows where the frontends disagree are highlighted and flagged in words.
 */
export function MembersTable({
  view,
  canOperate,
  onResult,
}: {
  view: TView;
  canOperate: boolean;
  onResult: (r: TActionResult | TActionResult[]) => void;
}) {
  const { frontends, members } = view;
  // Offer what every polled frontend can do, or says (in its kind's note) how it handles it instead,
  // e.g. nginx has no drain and keeps the member in rotation: the dialog then shows those notes.
  const enabled = frontends.filter((f) => f.enabled);
  const candidates = [...new Set(enabled.flatMap((f) => f.adminStates))];
  const supportedStates = candidates.filter((s) =>
    enabled.every((f) => f.adminStates.includes(s) || f.notes[s] !== undefined),
  );
  const caveats = Object.fromEntries(
    supportedStates.map((s) => [
      s,
      enabled.filter((f) => f.notes[s] !== undefined).map((f) => `${f.name}: ${f.notes[s]}`),
    ]),
  );
  if (members.length === 0) {
    return (
      <div className="empty">
        No members yet: add them in the inventory, or wait for the first poll to list what the frontends route to.
      </div>
    );
  }
  return (
    <div style={{ overflowX: "auto" }}>
      <table aria-label="Members">
        <caption>Members across frontends</caption>
        <thead>
          <tr>
            <th scope="col" rowSpan={2}>
              Member
            </th>
            <th scope="col" rowSpan={2}>
              Overall
            </th>
            <th scope="col" rowSpan={2}>
              Intended
            </th>
            {frontends.map((f) => (
              <th scope="colgroup" colSpan={4} key={f.id}>
                {f.name}
              </th>
            ))}
            {canOperate && (
              <th scope="col" rowSpan={2}>
                Actions
              </th>
            )}
          </tr>
          <tr>
            {frontends.map((f) => [
              <th scope="col" key={`${f.id}-s`}>
                State
              </th>,
              <th scope="col" className="num" key={`${f.id}-b`}>
                Busy
              </th>,
              <th scope="col" className="num" key={`${f.id}-r`}>
                Req/s
              </th>,
              <th scope="col" className="num" key={`${f.id}-w`}>
                Weight
              </th>,
            ])}
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr
              key={`${m.memberId ?? "x"}-${m.route}-${m.name}`}
              className={m.disagreement ? "disagree" : undefined}
              aria-label={`Member ${m.name}`}
            >
              <th scope="row">
                {m.name}
                <div className="muted" style={{ fontWeight: 400, fontSize: ".8rem" }}>
                  route {m.route || "–"}
                  {m.host ? ` · ${m.host}` : ""}
                  {m.memberId === null ? " · not in inventory" : ""}
                </div>
              </th>
              <td>
                <StateBadge state={m.health} />
                {m.disagreement && <div className="flag">frontends disagree</div>}
              </td>
              <td aria-label={`${m.name} intended: ${m.intendedState ?? "not managed"}${m.drift ? ", drifted" : ""}`}>
                {m.intendedState ? <StateBadge state={m.intendedState} /> : <span className="muted">–</span>}
                {m.intendedWeight !== null && (
                  <div className="muted" style={{ fontSize: ".8rem" }}>
                    weight {m.intendedWeight}
                  </div>
                )}
                {m.drift && (
                  <div>
                    <span
                      className="badge drifted"
                      title="A frontend shows something other than the intended state (e.g. after an httpd restart)"
                    >
                      drifted
                    </span>
                  </div>
                )}
              </td>
              {m.states.map((s, i) => {
                const f = frontends[i]!;
                if (!s) {
                  return (
                    <td colSpan={4} key={f.id} className="muted" aria-label={`${m.name} on ${f.name}: not listed`}>
                      {f.up === false ? "frontend not answering" : f.up === null ? "…" : "not listed by this frontend"}
                    </td>
                  );
                }
                return [
                  <td
                    key={`${f.id}-s`}
                    aria-label={`${m.name} on ${f.name}: ${s.adminState}, ${s.health}${s.drifted ? ", drifted" : ""}`}
                    data-frontend={f.name}
                    data-member={m.name}
                  >
                    <StateBadge state={s.adminState} />{" "}
                    <StateBadge
                      state={s.health}
                      title={s.stale ? "last good reading: the frontend is not answering" : undefined}
                    />
                    {s.drifted && <div className="flag">drifted</div>}
                    {s.stale && (
                      <div className="muted" style={{ fontSize: ".75rem" }}>
                        stale
                      </div>
                    )}
                  </td>,
                  <td key={`${f.id}-b`} className="num">
                    {s.busy}
                  </td>,
                  <td key={`${f.id}-r`} className="num" title={`${formatBytes(s.bytesPerSec)}/s`}>
                    {formatRate(s.requestsPerSec)}
                  </td>,
                  <td key={`${f.id}-w`} className="num">
                    {s.loadfactor}
                  </td>,
                ];
              })}
              {canOperate && (
                <td>
                  {m.memberId !== null ? (
                    <MemberActions
                      cluster={view.cluster.name}
                      member={m.name}
                      intendedState={m.intendedState}
                      drift={m.drift}
                      supportedStates={supportedStates}
                      caveats={caveats}
                      onResult={onResult}
                    />
                  ) : (
                    <span className="muted">add to inventory to act on it</span>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
