"use client";
import { useCallback, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { TMemberFilter } from "@/server/domain/member-filter";
import { MemberFilterBar } from "@/components/cluster/member-filter-bar";
import { MemberRowView, type TRowContext } from "@/components/cluster/member-row";
import { offeredStates, visibleMembers, type TMemberSort } from "@/components/cluster/member-list";
import type { TClusterView, TFrontendRow } from "@/components/cluster/use-live-cluster";
import { BulkActionsBar } from "@/components/actions/bulk-actions-bar";
import type { TBulkResult } from "@/components/actions/bulk-result";
import type { TActionResult } from "@/components/actions/action-result";

const ROW_HEIGHT = 37;
/** Rows drawn beyond the visible ones, so Tab and the arrow keys find the next row already there. */
const OVERSCAN = 12;

/**
 * The members × frontends matrix of a cluster: one compact line per member, one cell per frontend,
 * rows virtualised (a thousand members draw only the few dozen in view), the action menu in a column
 * that stays in view when the table scrolls sideways. Filter, search and sort above; check boxes and
 * "select filtered" for bulk actions. By keyboard: Tab reaches every control, ArrowUp/ArrowDown move to
 * the same control of the previous/next member.
 */
export function MembersMatrix({
  view,
  canOperate,
  onResult,
  onBulkResult,
  selected,
  onSelected,
}: {
  view: TClusterView;
  canOperate: boolean;
  onResult: (r: TActionResult | TActionResult[]) => void;
  onBulkResult: (r: TBulkResult) => void;
  selected: ReadonlySet<string>;
  onSelected: (s: Set<string>) => void;
}) {
  const [filter, setFilter] = useState<TMemberFilter>({});
  const [sort, setSort] = useState<TMemberSort>("name");
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const scrollRef = useRef<HTMLDivElement>(null);

  const frontends = useStableFrontends(view.frontends);
  const rows = useMemo(() => visibleMembers(view.members, filter, sort), [view.members, filter, sort]);
  const { supportedStates, caveats } = useMemo(() => offeredStates(frontends), [frontends]);
  const lbsets = useMemo(
    () => [...new Set(view.members.flatMap((m) => m.states.map((s) => s?.lbset ?? 0)))].sort((a, b) => a - b),
    [view.members],
  );

  const toggleSelected = useCallback(
    (name: string) => {
      const next = new Set(selected);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      onSelected(next);
    },
    [selected, onSelected],
  );
  const toggleExpanded = useCallback((key: string) => {
    setExpanded((all) => {
      const next = new Set(all);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }, []);
  const ctx: TRowContext = useMemo(
    () => ({
      cluster: view.cluster.name,
      frontends,
      canOperate,
      supportedStates,
      caveats,
      onResult,
      toggleSelected,
      toggleExpanded,
    }),
    [view.cluster.name, frontends, canOperate, supportedStates, caveats, onResult, toggleSelected, toggleExpanded],
  );

  // The project does not use the React Compiler; the virtualizer's functions are only used right here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (expanded.has(rows[i]?.key ?? "") ? ROW_HEIGHT + 40 + 30 * frontends.length : ROW_HEIGHT),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: OVERSCAN,
    // Before the scroll box is measured (the server's render, and hydration, which must match it): the
    // first screenful of rows, so the page arrives with them.
    initialRect: { width: 1280, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);

  const selectable = rows.filter((r) => r.memberId !== null).map((r) => r.name);
  const allShownSelected = selectable.length > 0 && selectable.every((n) => selected.has(n));

  /** ArrowUp/ArrowDown: the same control one member up or down, scrolling it into view first. */
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const el = e.target as HTMLElement;
    const col = el.dataset.col;
    const at = Number(el.dataset.row);
    if (!col || !Number.isInteger(at) || (el.getAttribute("aria-expanded") === "true" && col === "actions")) return;
    const next = at + (e.key === "ArrowDown" ? 1 : -1);
    if (next < 0 || next >= rows.length) return;
    e.preventDefault();
    virtualizer.scrollToIndex(next, { align: "auto" });
    const focus = (tries: number) => {
      const target = scrollRef.current?.querySelector<HTMLElement>(`[data-col="${col}"][data-row="${next}"]`);
      if (target) target.focus();
      else if (tries > 0) requestAnimationFrame(() => focus(tries - 1));
    };
    requestAnimationFrame(() => focus(5));
  };

  return (
    <section aria-labelledby="members-heading" className="members">
      <h2 id="members-heading">Members across frontends</h2>
      <MemberFilterBar
        filter={filter}
        onFilter={setFilter}
        sort={sort}
        onSort={setSort}
        lbsets={lbsets}
        shown={rows.length}
        total={view.members.length}
      />
      {canOperate && (
        <BulkActionsBar
          cluster={view.cluster.name}
          selected={selected}
          onSelected={onSelected}
          filteredNames={selectable}
          supportedStates={supportedStates}
          caveats={caveats}
          onResult={onBulkResult}
        />
      )}
      {view.members.length === 0 ? (
        <div className="empty">
          No members yet: add them in the inventory, or wait for the first poll to list what the frontends route to.
        </div>
      ) : rows.length === 0 ? (
        <div className="empty">No member matches this filter.</div>
      ) : (
        <div className="matrix-scroll" ref={scrollRef} onKeyDown={onKeyDown}>
          <table
            className="matrix"
            aria-label="Members"
            aria-rowcount={rows.length + 1}
            style={{ minWidth: (canOperate ? 34 + 96 : 0) + 150 + 104 + 104 + 64 + 92 * frontends.length }}
          >
            <colgroup>
              {canOperate && <col style={{ width: 34 }} />}
              <col style={{ width: 150 }} />
              <col style={{ width: 104 }} />
              <col style={{ width: 104 }} />
              {frontends.map((f) => (
                <col key={f.id} style={{ width: 92 }} />
              ))}
              <col style={{ width: 64 }} />
              {canOperate && <col style={{ width: 96 }} />}
            </colgroup>
            <thead>
              <tr>
                {canOperate && (
                  <th scope="col" className="select">
                    <input
                      type="checkbox"
                      aria-label="Select every member shown"
                      checked={allShownSelected}
                      onChange={() => {
                        const next = new Set(selected);
                        for (const n of selectable) {
                          if (allShownSelected) next.delete(n);
                          else next.add(n);
                        }
                        onSelected(next);
                      }}
                    />
                  </th>
                )}
                <th scope="col">Member</th>
                <th scope="col">Overall</th>
                <th scope="col">Intended</th>
                {frontends.map((f) => (
                  <th scope="col" key={f.id} title={`${f.name}: ${f.kindLabel}`} className="frontend-head">
                    <span className="frontend-name">{f.name}</span>
                    {f.up === false && <span className="badge down">down</span>}
                  </th>
                ))}
                <th scope="col" className="num" title="Requests per second, all frontends added up">
                  Req/s
                </th>
                {canOperate && (
                  <th scope="col" className="actions">
                    Actions
                  </th>
                )}
              </tr>
            </thead>
            {padTop > 0 && (
              <tbody aria-hidden="true">
                <tr style={{ height: padTop }} />
              </tbody>
            )}
            {items.map((item) => {
              const row = rows[item.index]!;
              return (
                <tbody key={item.key} ref={virtualizer.measureElement} data-index={item.index}>
                  <MemberRowView
                    row={row}
                    index={item.index}
                    selected={selected.has(row.name)}
                    expanded={expanded.has(row.key)}
                    ctx={ctx}
                  />
                </tbody>
              );
            })}
            {padBottom > 0 && (
              <tbody aria-hidden="true">
                <tr style={{ height: padBottom }} />
              </tbody>
            )}
          </table>
        </div>
      )}
    </section>
  );
}

/** The frontends as the rows need them: a new array only when a name, a kind or up/down changes, not every poll. */
function useStableFrontends(frontends: TFrontendRow[]): TFrontendRow[] {
  const signature = frontends
    .map((f) =>
      [f.id, f.name, f.kindLabel, f.up, f.enabled, f.adminStates.join(","), JSON.stringify(f.notes)].join("|"),
    )
    .join("\n");
  // Keyed on what the rows show of a frontend, not on the array (a new one arrives with every poll).
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => frontends, [signature]);
}
