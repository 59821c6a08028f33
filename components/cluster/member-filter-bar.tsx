"use client";
import { ADMIN_STATES, type TAdminState } from "@/server/domain/member-state";
import { MEMBER_HEALTHS, type TMemberFilter, type TMemberHealth } from "@/server/domain/member-filter";
import { MEMBER_SORTS, type TMemberSort } from "@/components/cluster/member-list";

/**
 * Search, filter and sort of the members table. Every control has a visible label; the count of what
 * is shown is announced politely, so a screen reader hears what a filter did.
 */
export function MemberFilterBar({
  filter,
  onFilter,
  sort,
  onSort,
  lbsets,
  shown,
  total,
}: {
  filter: TMemberFilter;
  onFilter: (f: TMemberFilter) => void;
  sort: TMemberSort;
  onSort: (s: TMemberSort) => void;
  lbsets: number[];
  shown: number;
  total: number;
}) {
  const set = (patch: Partial<TMemberFilter>) => {
    const next = { ...filter, ...patch };
    for (const k of Object.keys(next) as Array<keyof TMemberFilter>) if (next[k] === undefined) delete next[k];
    onFilter(next);
  };
  const active = Object.keys(filter).length > 0;
  return (
    <div className="filter-bar" role="search" aria-label="Filter members">
      <label>
        Search
        <input
          type="search"
          value={filter.text ?? ""}
          placeholder="name, route or host (* = any)"
          onChange={(e) => set({ text: e.target.value || undefined })}
        />
      </label>
      <label>
        State
        <select
          value={filter.state ?? ""}
          onChange={(e) => set({ state: (e.target.value || undefined) as TAdminState | undefined })}
        >
          <option value="">any</option>
          {ADMIN_STATES.map((s) => (
            <option key={s} value={s}>
              {s} on some frontend
            </option>
          ))}
        </select>
      </label>
      <label>
        Health
        <select
          value={filter.health ?? ""}
          onChange={(e) => set({ health: (e.target.value || undefined) as TMemberHealth | undefined })}
        >
          <option value="">any</option>
          {MEMBER_HEALTHS.map((h) => (
            <option key={h} value={h}>
              {h}
            </option>
          ))}
        </select>
      </label>
      {lbsets.length > 1 && (
        <label>
          lbset
          <select
            value={filter.lbset === undefined ? "" : String(filter.lbset)}
            onChange={(e) => set({ lbset: e.target.value === "" ? undefined : Number(e.target.value) })}
          >
            <option value="">any</option>
            {lbsets.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={filter.drifted === true}
          onChange={(e) => set({ drifted: e.target.checked || undefined })}
        />
        Drifted
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={filter.disagreeing === true}
          onChange={(e) => set({ disagreeing: e.target.checked || undefined })}
        />
        Frontends disagree
      </label>
      <label>
        Sort by
        <select value={sort} onChange={(e) => onSort(e.target.value as TMemberSort)}>
          {(Object.keys(MEMBER_SORTS) as TMemberSort[]).map((s) => (
            <option key={s} value={s}>
              {MEMBER_SORTS[s]}
            </option>
          ))}
        </select>
      </label>
      <span className="muted" role="status" aria-live="polite">
        {shown === total
          ? `${total.toLocaleString("en-US")} members`
          : `${shown.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} members`}
      </span>
      {active && (
        <button type="button" onClick={() => onFilter({})}>
          Clear filter
        </button>
      )}
    </div>
  );
}
