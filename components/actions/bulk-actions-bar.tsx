"use client";
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ConfirmDialog } from "@/components/actions/confirm-dialog";
import { VERB_LABEL } from "@/components/actions/member-actions";
import type { TBulkResult } from "@/components/actions/bulk-result";
import { ErrorNotice } from "@/components/errors/error-notice";
import { STATE_VERBS, STATE_VERB_NAMES, type TStateVerb } from "@/server/domain/member-verbs";

/**
 * What to do with the selected members: one verb for all of them, after one confirmation that states the
 * combined impact. "Select filtered" takes every member the filter shows.
 */
export function BulkActionsBar({
  cluster,
  selected,
  onSelected,
  filteredNames,
  supportedStates,
  caveats,
  onResult,
}: {
  cluster: string;
  selected: ReadonlySet<string>;
  onSelected: (s: Set<string>) => void;
  filteredNames: string[];
  supportedStates: readonly string[];
  caveats: Record<string, string[]>;
  onResult: (r: TBulkResult) => void;
}) {
  const [verb, setVerb] = useState<TStateVerb | null>(null);
  const verbs = STATE_VERB_NAMES.filter((v) => supportedStates.includes(STATE_VERBS[v]));
  const n = selected.size;
  return (
    <div className="bulk-bar" role="group" aria-label="Selected members">
      <span aria-live="polite">{n === 0 ? "No member selected" : `${n.toLocaleString()} selected`}</span>
      <button
        type="button"
        onClick={() => onSelected(new Set([...selected, ...filteredNames]))}
        disabled={filteredNames.length === 0}
      >
        Select filtered ({filteredNames.length.toLocaleString()})
      </button>
      <button type="button" onClick={() => onSelected(new Set())} disabled={n === 0}>
        Clear selection
      </button>
      {verbs.map((v) => (
        <button key={v} type="button" disabled={n === 0} onClick={() => setVerb(v)}>
          {VERB_LABEL[v]} selected…
        </button>
      ))}
      {verb && n > 0 && (
        <BulkDialog
          cluster={cluster}
          members={[...selected].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))}
          verb={verb}
          caveats={caveats[STATE_VERBS[verb]] ?? []}
          onClose={() => setVerb(null)}
          onResult={(r) => {
            onResult(r);
            setVerb(null);
          }}
        />
      )}
    </div>
  );
}

function BulkDialog({
  cluster,
  members,
  verb,
  caveats,
  onClose,
  onResult,
}: {
  cluster: string;
  members: string[];
  verb: TStateVerb;
  caveats: string[];
  onClose: () => void;
  onResult: (r: TBulkResult) => void;
}) {
  const trpc = useTRPC();
  const impact = useQuery(trpc.member.bulk.impact.queryOptions({ cluster, members, verb }, { staleTime: 0 }));
  const [force, setForce] = useState(false);
  const run = useMutation(trpc.member.bulk.run.mutationOptions({ onSuccess: onResult }));
  const refusal = impact.data?.refusal ?? null;
  const label = `${VERB_LABEL[verb]} ${members.length === 1 ? members[0] : `${members.length} members`}`;
  return (
    <ConfirmDialog
      title={`${label} on every frontend?`}
      confirmLabel={label}
      danger={verb !== "enable"}
      pending={run.isPending}
      confirmDisabled={impact.isPending || (refusal !== null && !force)}
      onConfirm={() => run.mutate({ cluster, verb, members, force })}
      onClose={onClose}
    >
      <p className="muted">
        {members.length <= 12
          ? members.join(", ")
          : `${members.slice(0, 12).join(", ")} and ${members.length - 12} more`}
      </p>
      {impact.isPending && <p aria-busy="true">Working out the impact…</p>}
      <ErrorNotice error={impact.error} context="Impact unknown" inline />
      {impact.data && (
        <>
          <p>{impact.data.summary}</p>
          <table aria-label="Members left active per frontend">
            <thead>
              <tr>
                <th scope="col">Frontend</th>
                <th scope="col" className="num">
                  Active now
                </th>
                <th scope="col" className="num">
                  After
                </th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {impact.data.frontends.map((f) => (
                <tr key={f.frontend} aria-label={`${f.frontend}: ${f.activeAfter} of ${f.listed} active after`}>
                  <th scope="row">{f.frontend}</th>
                  <td className="num">{f.activeBefore}</td>
                  <td className="num">{f.activeAfter}</td>
                  <td>{f.unsupported ?? (f.stale ? "not answering: last reading" : "")}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            {VERB_LABEL[verb]}: {impact.data.effect}.
            {(verb === "stop" || verb === "disable") &&
              " Whether their sessions survive is not checked for a selection: use “Safe to stop?” on the Sessions page for one member."}
          </p>
        </>
      )}
      {caveats.length > 0 && (
        <ul aria-label="Frontend limits" className="muted">
          {caveats.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      )}
      {refusal && (
        <div className="alert error">
          <p style={{ marginTop: 0 }}>Refused by the guard rail: {refusal}.</p>
          <label style={{ flexDirection: "row", gap: ".4rem", alignItems: "center" }}>
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> I understand: do it
            anyway
          </label>
        </div>
      )}
      <ErrorNotice error={run.error} context={`${VERB_LABEL[verb]} failed`} />
    </ConfirmDialog>
  );
}
