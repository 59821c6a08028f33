"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";

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
      {q.error && (
        <div className="alert error" role="alert">
          {q.error.message}
        </div>
      )}
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

function summarize(v: unknown): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "object")
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k} ${x ?? "–"}`)
      .join(", ");
  return String(v);
}

function frontendOutcomes(details: unknown): string {
  const fs = (details as { frontends?: Array<{ frontend: string; outcome: string; message: string | null }> } | null)
    ?.frontends;
  if (!Array.isArray(fs)) return "";
  return fs.map((f) => `${f.frontend}: ${f.outcome}${f.message ? ` (${f.message})` : ""}`).join("; ");
}
