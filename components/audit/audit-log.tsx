"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";

type TFilters = { cluster: string; action: string; actor: string; result: "" | "ok" | "partial" | "failed" | "denied" };
const EMPTY: TFilters = { cluster: "", action: "", actor: "", result: "" };

/** The append-only audit log, newest first, with filters; pages backwards with "Older entries". */
export function AuditLog({ initial }: { initial?: Partial<TFilters> } = {}) {
  const trpc = useTRPC();
  // Links from elsewhere (a rollout's "audit entries") open the log already filtered.
  const [draft, setDraft] = useState<TFilters>({ ...EMPTY, ...initial });
  const [filters, setFilters] = useState<TFilters>({ ...EMPTY, ...initial });
  const [beforeId, setBeforeId] = useState<number | undefined>(undefined);
  const input = {
    beforeId,
    cluster: filters.cluster || undefined,
    action: filters.action || undefined,
    actor: filters.actor || undefined,
    result: filters.result || undefined,
    limit: 50,
  };
  const q = useQuery(trpc.audit.list.queryOptions(input));
  const entries = q.data?.entries ?? [];
  const set = (k: keyof TFilters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft({ ...draft, [k]: e.target.value });
  return (
    <>
      <h1>Audit log</h1>
      <form
        className="inline panel"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
          setBeforeId(undefined);
        }}
      >
        <label>
          Cluster
          <input value={draft.cluster} onChange={set("cluster")} />
        </label>
        <label>
          Action (prefix)
          <input value={draft.action} onChange={set("action")} placeholder="member.drain" />
        </label>
        <label>
          Who
          <input value={draft.actor} onChange={set("actor")} />
        </label>
        <label>
          Result
          <select value={draft.result} onChange={set("result")}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="partial">partial</option>
            <option value="failed">failed</option>
            <option value="denied">denied</option>
          </select>
        </label>
        <button type="submit" className="primary">
          Filter
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(EMPTY);
            setFilters(EMPTY);
            setBeforeId(undefined);
          }}
        >
          Clear
        </button>
      </form>
      <ErrorNotice error={q.error} context="Cannot load the audit log" />
      {q.isPending && <p aria-busy="true">Loading…</p>}
      {q.data && entries.length === 0 && <div className="empty">No audit entries match.</div>}
      {entries.length > 0 && (
        <table aria-label="Audit entries" style={{ marginTop: "1rem" }}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">From</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Result</th>
              <th scope="col">Before → after</th>
              <th scope="col">Per frontend</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} aria-label={`Audit ${e.id}: ${e.action} ${e.target ?? ""} ${e.result}`}>
                <td>
                  <time dateTime={e.at.toISOString()}>{e.at.toLocaleString()}</time>
                </td>
                <td>
                  {e.actor}
                  {e.actorRole ? <span className="muted"> ({e.actorRole})</span> : null}
                </td>
                <td>{e.ip ?? "–"}</td>
                <td>{e.action}</td>
                <td>{[e.cluster, e.target].filter(Boolean).join(" / ") || "–"}</td>
                <td>
                  <span
                    className={`badge ${e.result === "ok" ? "healthy" : e.result === "partial" ? "degraded" : "failing"}`}
                  >
                    {e.result}
                  </span>
                </td>
                <td className="muted">
                  {summarize(e.before)} → {summarize(e.after)}
                </td>
                <td>{frontendOutcomes(e.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="toolbar" style={{ marginTop: ".75rem" }}>
        {beforeId !== undefined && (
          <button type="button" onClick={() => setBeforeId(undefined)}>
            Newest entries
          </button>
        )}
        {q.data?.nextBeforeId && (
          <button type="button" onClick={() => setBeforeId(q.data.nextBeforeId ?? undefined)}>
            Older entries
          </button>
        )}
      </div>
    </>
  );
}

// before, after and details are each action's own JSON (the audit schema declares them unknown), so they
// are read by looking, never by a cast.
function summarize(v: unknown): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "object")
    return Object.entries(v)
      .map(([k, x]) => `${k} ${x ?? "–"}`)
      .join(", ");
  return String(v);
}

/** A member action's per-frontend outcomes ("apache: done; jk: failed (…)"), "" for other actions. */
function frontendOutcomes(details: unknown): string {
  const frontends = read(details, "frontends");
  if (!Array.isArray(frontends)) return "";
  return frontends
    .map((f: unknown) => {
      const message = read(f, "message");
      return `${String(read(f, "frontend"))}: ${String(read(f, "outcome"))}${typeof message === "string" && message ? ` (${message})` : ""}`;
    })
    .join("; ");
}

function read(o: unknown, key: string): unknown {
  return typeof o === "object" && o !== null ? Object.getOwnPropertyDescriptor(o, key)?.value : undefined;
}
