"use client";
import { useState, type ReactNode } from "react";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { RelativeTime } from "@/components/relative-time";
import type { TRouterOutputs } from "@/components/api-types";

type TIndexedSessionRow = TRouterOutputs["session"]["list"]["rows"][number];
type TIndexStatusAnswer = TRouterOutputs["session"]["list"]["status"];

type TSort = "id" | "idle" | "ttl" | "size";
type TFilters = { q: string; store: string; node: string; route: string; minIdle: string; maxTtl: string };

const PAGE = 50;
const EMPTY: TFilters = { q: "", store: "", node: "", route: "", minIdle: "", maxTtl: "" };

/**
 * Every session of the cluster's stores, searchable and paged, served from the session index (a
 * background scan), so a million sessions page as fast as a hundred. Search by id, id prefix, or a
 * pasted Cookie header; filter by store, node, member route, idle time and TTL; sort by column.
 */
export function SessionTable({
  cluster,
  onLocate,
  selectionActions,
}: {
  cluster: string;
  /** Absent for viewers, whose rows show masked ids: they locate a session by pasting its cookie. */
  onLocate?: (id: string) => void;
  selectionActions?: (ids: string[], clear: () => void) => ReactNode;
}) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<TFilters>(EMPTY);
  const [filters, setFilters] = useState<TFilters>(EMPTY);
  const [sort, setSort] = useState<{ by: TSort; dir: "asc" | "desc" }>({ by: "id", dir: "asc" });
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const input = {
    cluster,
    q: filters.q,
    store: filters.store || undefined,
    node: filters.node || undefined,
    route: filters.route || undefined,
    minIdleSeconds: filters.minIdle ? Number(filters.minIdle) : undefined,
    maxTtlSeconds: filters.maxTtl ? Number(filters.maxTtl) : undefined,
    sort: sort.by,
    dir: sort.dir,
    offset,
    limit: PAGE,
  };
  const list = useQuery({
    ...trpc.session.list.queryOptions(input),
    placeholderData: keepPreviousData,
    retry: false,
    // While a scan runs, poll to show its progress and pick up the new index when it lands.
    refetchInterval: (q) => (q.state.data?.status.building ? 1000 : 15_000),
  });
  const rescan = useMutation(trpc.session.rescan.mutationOptions({ onSuccess: () => void list.refetch() }));
  const d = list.data;
  const status = d?.status;

  const apply = (next: TFilters) => {
    setFilters(next);
    setOffset(0);
    setSelected(new Set());
  };
  const sortBy = (by: TSort) => {
    setSort((s) => ({ by, dir: s.by === by && s.dir === "asc" ? "desc" : by === "id" ? "asc" : "desc" }));
    setOffset(0);
  };
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const numberError = (v: string) => v !== "" && !/^\d+$/.test(v);
  const invalid = numberError(draft.minIdle) || numberError(draft.maxTtl);

  return (
    <section aria-labelledby="table-h">
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <h2 id="table-h">All sessions</h2>
        <div className="toolbar">
          <IndexStatusLine status={status} />
          <button
            type="button"
            onClick={() => rescan.mutate({ cluster })}
            disabled={rescan.isPending || Boolean(status?.building)}
          >
            Rescan now
          </button>
        </div>
      </div>
      <form
        className="inline panel"
        aria-label="Search sessions"
        onSubmit={(e) => {
          e.preventDefault();
          if (!invalid) apply(draft);
        }}
      >
        <label style={{ flex: 2, minWidth: "16rem" }}>
          Id, id prefix, or Cookie header
          <input
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
            spellCheck={false}
            style={{ fontFamily: "monospace" }}
            placeholder="6A8D1C or JSESSIONID=…"
          />
        </label>
        <Facet
          label="Store"
          value={draft.store}
          options={d?.facets.stores ?? []}
          onChange={(store) => setDraft({ ...draft, store })}
        />
        <Facet
          label="Store node"
          value={draft.node}
          options={d?.facets.nodes ?? []}
          onChange={(node) => setDraft({ ...draft, node })}
        />
        <Facet
          label="Member (route)"
          value={draft.route}
          options={d?.facets.routes ?? []}
          onChange={(route) => setDraft({ ...draft, route })}
        />
        <label>
          Idle at least (s)
          <input
            inputMode="numeric"
            size={7}
            value={draft.minIdle}
            onChange={(e) => setDraft({ ...draft, minIdle: e.target.value })}
            aria-invalid={numberError(draft.minIdle)}
          />
        </label>
        <label>
          TTL at most (s)
          <input
            inputMode="numeric"
            size={7}
            value={draft.maxTtl}
            onChange={(e) => setDraft({ ...draft, maxTtl: e.target.value })}
            aria-invalid={numberError(draft.maxTtl)}
          />
        </label>
        <button type="submit" className="primary" disabled={invalid}>
          Search
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(EMPTY);
            apply(EMPTY);
          }}
        >
          Clear
        </button>
        {invalid && (
          <p className="field-error" role="alert">
            Idle and TTL are whole numbers of seconds.
          </p>
        )}
      </form>

      <ErrorNotice error={list.error} context="Cannot list the sessions" />
      {status?.errors.map((e) => (
        <div key={e.store} className="alert error" role="alert">
          Store {e.store}: {e.error}
        </div>
      ))}
      {status && status.notIndexed.length > 0 && (
        <p className="muted">
          Not listed here (the store kind cannot enumerate sessions): {status.notIndexed.join(", ")}.
        </p>
      )}

      {d && selected.size > 0 && selectionActions && (
        <div className="toolbar panel" role="region" aria-label="Selected sessions" style={{ margin: ".5rem 0" }}>
          <span>{selected.size} selected</span>
          {selectionActions([...selected], () => setSelected(new Set()))}
        </div>
      )}

      {!d || (d.status.scannedAt === null && d.rows.length === 0) ? (
        <div className="empty" aria-busy={Boolean(status?.building) || list.isLoading}>
          {status?.building
            ? `Scanning the stores… ${status.building.scanned.toLocaleString()} sessions read so far.`
            : list.isLoading
              ? "Loading…"
              : "No scan yet."}
        </div>
      ) : d.rows.length === 0 ? (
        <div className="empty">
          {d.total === 0 ? "The stores hold no sessions." : "No session matches these filters."}
        </div>
      ) : (
        <>
          <table aria-label="Sessions" aria-rowcount={d.matched}>
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">Select</span>
                </th>
                <SortHeader label="Session id" by="id" sort={sort} onSort={sortBy} />
                <th scope="col">Store</th>
                <th scope="col">Store node</th>
                <th scope="col">Member (route)</th>
                <SortHeader label="Idle" by="idle" sort={sort} onSort={sortBy} numeric />
                <SortHeader label="TTL" by="ttl" sort={sort} onSort={sortBy} numeric />
                <SortHeader label="Size" by="size" sort={sort} onSort={sortBy} numeric />
                <th scope="col" className="num">
                  Copies
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.rows.map((r) => (
                <SessionRowView
                  key={`${r.store}/${r.sessionId}`}
                  r={r}
                  checked={selected.has(r.sessionId)}
                  onToggle={() => toggle(r.sessionId)}
                  onLocate={onLocate ? () => onLocate(r.sessionId) : undefined}
                />
              ))}
            </tbody>
          </table>
          <nav className="toolbar" aria-label="Pages" style={{ marginTop: ".5rem" }}>
            <button type="button" onClick={() => setOffset(Math.max(0, offset - PAGE))} disabled={offset === 0}>
              Previous
            </button>
            <span role="status">
              {(offset + 1).toLocaleString()}–{(offset + d.rows.length).toLocaleString()} of{" "}
              {d.matched.toLocaleString()} matching
              {d.matched !== d.total ? ` (${d.total.toLocaleString()} sessions in all)` : ""}
            </span>
            <button type="button" onClick={() => setOffset(offset + PAGE)} disabled={offset + PAGE >= d.matched}>
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

function SessionRowView({
  r,
  checked,
  onToggle,
  onLocate,
}: {
  r: TIndexedSessionRow;
  checked: boolean;
  onToggle: () => void;
  onLocate?: () => void;
}) {
  return (
    <tr>
      <td>
        <input type="checkbox" checked={checked} onChange={onToggle} aria-label={`Select ${r.sessionId}`} />
      </td>
      <td>
        <code>{r.sessionId}</code>
      </td>
      <td>{r.store}</td>
      <td>{r.node}</td>
      <td>{r.route ?? "–"}</td>
      <td className="num">{r.idleSeconds === null ? "–" : duration(r.idleSeconds)}</td>
      <td className="num">{r.ttlSeconds === null ? "none" : duration(r.ttlSeconds)}</td>
      <td className="num">{r.size ? r.size.toLocaleString() : "–"}</td>
      <td className="num">{r.copies}</td>
      <td>
        {onLocate ? (
          <button type="button" onClick={onLocate} aria-label={`Details of ${r.sessionId}`}>
            Details
          </button>
        ) : (
          <span className="muted" title="Session ids are masked for viewers: paste the cookie above to locate it">
            masked
          </span>
        )}
      </td>
    </tr>
  );
}

function SortHeader({
  label,
  by,
  sort,
  onSort,
  numeric,
}: {
  label: string;
  by: TSort;
  sort: { by: TSort; dir: "asc" | "desc" };
  onSort: (by: TSort) => void;
  numeric?: boolean;
}) {
  const active = sort.by === by;
  return (
    <th
      scope="col"
      className={numeric ? "num" : undefined}
      aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}
    >
      <button
        type="button"
        onClick={() => onSort(by)}
        style={{ border: 0, background: "none", padding: 0, fontWeight: 600 }}
      >
        {label} {active ? (sort.dir === "asc" ? "▲" : "▼") : ""}
      </button>
    </th>
  );
}

function Facet({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: string[];
  onChange: (v: string) => void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

function IndexStatusLine({ status }: { status: TIndexStatusAnswer | undefined }) {
  if (!status) return null;
  return (
    <span className="muted" role="status" aria-live="polite">
      {status.scannedAt !== null && (
        <>
          scanned <RelativeTime at={new Date(status.scannedAt)} /> in {((status.durationMs ?? 0) / 1000).toFixed(1)} s
        </>
      )}
      {status.building && ` · rescanning: ${status.building.scanned.toLocaleString()} read`}
    </span>
  );
}

function duration(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}
