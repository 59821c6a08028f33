"use client";
import { memo } from "react";
import { StateBadge } from "@/components/health-badge";
import { formatBytes, formatRate } from "@/components/cluster/format";
import { totalRate } from "@/components/cluster/member-list";
import type { TFrontendRow, TMemberRow } from "@/components/cluster/use-live-cluster";
import { MemberActions } from "@/components/actions/member-actions";
import type { TActionResult } from "@/components/actions/action-result";
import { HOT_SPARE_LABEL, HOT_SPARE_MEANING } from "@/server/domain/member-state";
import { formatSettings } from "@/components/actions/settings-text";

/** Short words for a cell: the admin state, then the health (which the colour repeats). */
const SHORT_HEALTH: Record<string, string> = { healthy: "ok", failing: "fail", recovering: "retry", unknown: "?" };

const SHORT_STATE: Record<string, string> = {
  active: "active",
  draining: "drain",
  disabled: "disabled",
  stopped: "stopped",
  standby: "standby",
};

export interface TRowContext {
  cluster: string;
  frontends: TFrontendRow[];
  canOperate: boolean;
  supportedStates: string[];
  caveats: Record<string, string[]>;
  onResult: (r: TActionResult | TActionResult[]) => void;
  toggleSelected: (name: string) => void;
  toggleExpanded: (key: string) => void;
}

function cellLabel(row: TMemberRow, f: TFrontendRow, s: TMemberRow["states"][number]): string {
  if (!s) return `${row.name} on ${f.name}: not listed`;
  const state = s.hotSpare ? HOT_SPARE_LABEL : s.adminState;
  return `${row.name} on ${f.name}: ${state}, ${s.health}${s.drifted ? ", drifted" : ""}${s.stale ? ", last good reading" : ""}`;
}

function cellTitle(f: TFrontendRow, s: NonNullable<TMemberRow["states"][number]>): string {
  return [
    `${f.name} (${f.kindLabel}): ${s.key}`,
    `${s.hotSpare ? HOT_SPARE_LABEL : s.adminState}, ${s.health}${s.stale ? " (last good reading: the frontend is not answering)" : ""}`,
    s.hotSpare ? HOT_SPARE_MEANING : "",
    `weight ${s.loadfactor}, lbset ${s.lbset}, busy ${s.busy}`,
    formatSettings(s.settings),
    `${formatRate(s.requestsPerSec)} req/s, ${formatRate(s.errorsPerSec)} err/s, ${formatBytes(s.bytesPerSec)}/s`,
    s.drifted ? "differs from the intended state or weight (drift)" : "",
  ]
    .filter(Boolean)
    .join("\n");
}

/**
 * One member: a compact line (a cell per frontend: admin state as a word, health as the colour, the
 * weight) and, when expanded, every frontend's reading in full. Memoised on the row object: a live
 * update replaces only the rows that changed, so only those re-render.
 */
export const MemberRowView = memo(function MemberRowView({
  row,
  index,
  selected,
  expanded,
  ctx,
}: {
  row: TMemberRow;
  index: number;
  selected: boolean;
  expanded: boolean;
  ctx: TRowContext;
}) {
  const detailsId = `member-details-${row.key}`;
  const requests = totalRate(row, "requestsPerSec");
  const columns = ctx.frontends.length + (ctx.canOperate ? 6 : 4);
  return (
    <>
      <tr
        aria-label={`Member ${row.name}`}
        aria-selected={ctx.canOperate ? selected : undefined}
        className={row.disagreement ? "disagree" : undefined}
        data-member-row={row.name}
      >
        {ctx.canOperate && (
          <td className="select">
            {row.memberId !== null && (
              <input
                type="checkbox"
                aria-label={`Select ${row.name}`}
                checked={selected}
                data-col="select"
                data-row={index}
                onChange={() => ctx.toggleSelected(row.name)}
              />
            )}
          </td>
        )}
        <th scope="row" className="member-name">
          <button
            type="button"
            className="link-button"
            aria-expanded={expanded}
            aria-controls={expanded ? detailsId : undefined}
            data-col="name"
            data-row={index}
            title={`route ${row.route || "–"}${row.host ? ` · ${row.host}` : ""}: ${expanded ? "hide" : "show"} each frontend's reading`}
            onClick={() => ctx.toggleExpanded(row.key)}
          >
            {row.name}
          </button>
          {row.memberId === null && <span className="tag">not in inventory</span>}
        </th>
        <td>
          <StateBadge state={row.health} />
          {row.disagreement && (
            <span
              className="flag"
              title="The frontends disagree on this member (state, health, or one does not list it)"
            >
              {" "}
              ≠<span className="sr-only">frontends disagree</span>
            </span>
          )}
        </td>
        <td aria-label={`${row.name} intended: ${row.intendedState ?? "not managed"}${row.drift ? ", drifted" : ""}`}>
          {row.intendedState ? <StateBadge state={row.intendedState} /> : <span className="muted">–</span>}
          {row.drift && (
            <span className="badge drifted" title="A frontend shows something other than the intended state or weight">
              drift
            </span>
          )}
        </td>
        {ctx.frontends.map((f, i) => {
          const s = row.states[i] ?? null;
          if (!s)
            return (
              <td key={f.id} className="cell empty-cell" aria-label={cellLabel(row, f, s)}>
                {f.up === false ? "no answer" : f.up === null ? "…" : "not listed"}
              </td>
            );
          return (
            <td
              key={f.id}
              className={`cell h-${s.stale ? "stale" : s.health}`}
              aria-label={cellLabel(row, f, s)}
              data-frontend={f.name}
              data-member={row.name}
              title={cellTitle(f, s)}
            >
              <span className={`cell-state a-${s.adminState}`}>
                {s.hotSpare ? "spare" : (SHORT_STATE[s.adminState] ?? s.adminState)}
              </span>
              <span className="cell-health">{SHORT_HEALTH[s.health] ?? s.health}</span>
              <span className="cell-weight">{s.loadfactor}</span>
              {s.drifted && (
                <span className="cell-flag" aria-hidden="true">
                  ≠
                </span>
              )}
            </td>
          );
        })}
        <td className="num">{formatRate(requests)}</td>
        {ctx.canOperate && (
          <td className="actions">
            {row.memberId !== null ? (
              <MemberActions
                cluster={ctx.cluster}
                member={row.name}
                intendedState={row.intendedState}
                drift={row.drift}
                supportedStates={ctx.supportedStates}
                caveats={ctx.caveats}
                onResult={ctx.onResult}
                buttonProps={{ "data-col": "actions", "data-row": String(index) }}
                settings={{ frontends: ctx.frontends, states: row.states }}
              />
            ) : (
              <span className="muted" title="Add it to the inventory to act on it">
                –
              </span>
            )}
          </td>
        )}
      </tr>
      {expanded && (
        <tr className="details" id={detailsId}>
          <td colSpan={columns}>
            <MemberDetails row={row} frontends={ctx.frontends} />
          </td>
        </tr>
      )}
    </>
  );
});

function MemberDetails({ row, frontends }: { row: TMemberRow; frontends: TFrontendRow[] }) {
  return (
    <div className="member-details">
      <p className="muted">
        route {row.route || "–"}
        {row.host ? ` · ${row.host}` : ""}
        {row.intendedWeight !== null ? ` · intended weight ${row.intendedWeight}` : ""}
      </p>
      <table aria-label={`${row.name} on each frontend`}>
        <thead>
          <tr>
            <th scope="col">Frontend</th>
            <th scope="col">Its name for it</th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Weight
            </th>
            <th scope="col" className="num">
              lbset
            </th>
            <th scope="col" className="num">
              Busy
            </th>
            <th scope="col" className="num">
              Req/s
            </th>
            <th scope="col" className="num">
              Err/s
            </th>
            <th scope="col" className="num">
              Bytes/s
            </th>
          </tr>
        </thead>
        <tbody>
          {frontends.map((f, i) => {
            const s = row.states[i];
            return (
              <tr key={f.id}>
                <th scope="row">{f.name}</th>
                {s ? (
                  <>
                    <td>{s.key}</td>
                    <td>
                      {s.hotSpare ? (
                        <StateBadge state="hot-spare" title={HOT_SPARE_MEANING} />
                      ) : (
                        <StateBadge state={s.adminState} />
                      )}{" "}
                      <StateBadge state={s.health} />
                      {s.settings && <div className="muted">{formatSettings(s.settings)}</div>}
                      {s.drifted && <span className="flag"> drifted</span>}
                      {s.stale && <span className="muted"> last good reading</span>}
                    </td>
                    <td className="num">{s.loadfactor}</td>
                    <td className="num">{s.lbset}</td>
                    <td className="num">{s.busy}</td>
                    <td className="num">{formatRate(s.requestsPerSec)}</td>
                    <td className="num">{formatRate(s.errorsPerSec)}</td>
                    <td className="num">{formatBytes(s.bytesPerSec)}</td>
                  </>
                ) : (
                  <td colSpan={8} className="muted">
                    {f.up === false ? "the frontend is not answering" : "not listed by this frontend"}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
