"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import type { TRouterOutputs } from "@/components/api-types";

type TRule = TRouterOutputs["alert"]["rules"][number];

/** One rule's row: on/off, delay, threshold; Save sends the row (audited). */
function RuleRow({ cluster, rule, canOperate }: { cluster: string; rule: TRule; canOperate: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [enabled, setEnabled] = useState(rule.enabled);
  const [forSeconds, setForSeconds] = useState(String(rule.forSeconds));
  const [threshold, setThreshold] = useState(rule.threshold === null ? "" : String(rule.threshold));
  const save = useMutation(
    trpc.alert.setRule.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.alert.rules.queryKey() }),
    }),
  );
  const changed =
    enabled !== rule.enabled ||
    forSeconds !== String(rule.forSeconds) ||
    threshold !== (rule.threshold === null ? "" : String(rule.threshold));
  const id = `rule-${rule.rule}`;
  return (
    <tr aria-label={`Rule ${rule.title}`}>
      <td>
        <label htmlFor={`${id}-on`}>
          <strong>{rule.title}</strong>
        </label>
        <div className="muted">{rule.about}</div>
        <ErrorNotice error={save.error} context="Cannot save the rule" inline />
      </td>
      <td>
        <span className={`badge ${rule.severity === "critical" ? "failing" : "warning"}`}>{rule.severity}</span>
      </td>
      <td>
        <input
          id={`${id}-on`}
          type="checkbox"
          checked={enabled}
          disabled={!canOperate}
          onChange={(e) => setEnabled(e.target.checked)}
        />
      </td>
      <td>
        <input
          aria-label={`${rule.title}: delay in seconds`}
          type="number"
          min={0}
          max={86400}
          value={forSeconds}
          disabled={!canOperate}
          onChange={(e) => setForSeconds(e.target.value)}
          style={{ width: "6rem" }}
        />
      </td>
      <td>
        {rule.thresholdDef ? (
          <label>
            <span className="muted">{rule.thresholdDef.label}</span>
            <input
              aria-label={`${rule.title}: ${rule.thresholdDef.label}`}
              type="number"
              min={rule.thresholdDef.min}
              max={rule.thresholdDef.max}
              value={threshold}
              disabled={!canOperate}
              onChange={(e) => setThreshold(e.target.value)}
              style={{ width: "7rem" }}
            />
          </label>
        ) : (
          "–"
        )}
      </td>
      <td className="muted">{rule.overridden ? `set by ${rule.updatedBy ?? "?"}` : "default"}</td>
      {canOperate && (
        <td>
          <button
            type="button"
            disabled={!changed || save.isPending}
            onClick={() =>
              save.mutate({
                cluster,
                rule: rule.rule,
                enabled,
                forSeconds: Number(forSeconds),
                threshold: rule.thresholdDef ? Number(threshold) : null,
              })
            }
          >
            Save
          </button>
        </td>
      )}
    </tr>
  );
}

/** The cluster's alert rules (defaults unless the cluster has its own setting). */
export function RulesPanel({ cluster, canOperate }: { cluster: string; canOperate: boolean }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.alert.rules.queryOptions({ cluster }));
  return (
    <section className="panel" aria-label="Alert rules" style={{ marginTop: "1rem" }}>
      <h2>Rules of {cluster}</h2>
      <ErrorNotice
        error={q.error}
        context={`Cannot load the rules of ${cluster}`}
        notFound={`There is no cluster named ${cluster}.`}
      />
      {q.data && (
        <table aria-label="Rules">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Severity</th>
              <th scope="col">On</th>
              <th scope="col">Delay (s)</th>
              <th scope="col">Threshold</th>
              <th scope="col">Setting</th>
              {canOperate && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {q.data.map((r) => (
              <RuleRow
                key={`${r.rule}-${r.enabled}-${r.forSeconds}-${r.threshold}`}
                cluster={cluster}
                rule={r}
                canOperate={canOperate}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
