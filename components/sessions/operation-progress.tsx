"use client";
import { useQuery } from "@tanstack/react-query";
import type { z } from "zod";
import { useTRPC } from "@/components/trpc";
import type { TRouterOutputs } from "@/components/api-types";
import { parseOperationReport } from "@/server/services/operations/operation-schema";

/**
 * Follows one journaled operation (polls every 500 ms until it is done or failed); once it has finished, its
 * report is read through the kind's schema (null when it has none or it does not match).
 */
export function useOperation<T extends z.ZodType>(id: number | null, reportSchema: T) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.operation.get.queryOptions({ id: id ?? 0 }),
    enabled: id !== null,
    refetchInterval: (s) => (s.state.data && ["done", "failed"].includes(s.state.data.state) ? false : 500),
  });
  const o = id === null ? undefined : q.data;
  const finished = o !== undefined && (o.state === "done" || o.state === "failed");
  return { o, finished, report: finished ? parseOperationReport(reportSchema, o.report) : null };
}

/** Progress bar and counters of an operation; `words` names what is counted and what "changed" means. */
export function OperationProgress({
  o,
  label,
  words,
}: {
  o: TRouterOutputs["operation"]["get"];
  label: string;
  words: { unit: string; changed: string; dryChanged: string; ok: string };
}) {
  const finished = o.state === "done" || o.state === "failed";
  return (
    <div role="status" aria-live="polite" aria-label={`${o.dryRun ? "Dry run" : label} progress`}>
      <p style={{ marginBottom: ".25rem" }}>
        {o.dryRun ? "Dry run" : label} #{o.id}: {o.state}
        {o.total > 0 ? ` — ${o.processed.toLocaleString()} of ${o.total.toLocaleString()} ${words.unit}` : ""}
        {o.total > 0 ? ` (${Math.floor((100 * o.processed) / o.total)}%)` : ""}
      </p>
      <progress
        aria-label={`${o.dryRun ? "Dry run" : label} progress`}
        max={Math.max(o.total, 1)}
        value={o.total === 0 && finished ? 1 : o.processed}
        style={{ width: "100%" }}
      />
      <p className="muted" style={{ margin: ".25rem 0" }}>
        {o.changed.toLocaleString()} {o.dryRun ? words.dryChanged : words.changed} · {o.alreadyOk.toLocaleString()}{" "}
        {words.ok} · {o.failedCount.toLocaleString()} failed
      </p>
      {o.message && <p className={o.state === "failed" ? "field-error" : undefined}>{o.message}</p>}
    </div>
  );
}
