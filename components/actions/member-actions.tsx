"use client";
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ConfirmDialog } from "@/components/actions/confirm-dialog";
import { MenuButton, type TMenuItem } from "@/components/actions/menu-button";
import type { TActionResult } from "@/components/actions/action-result";
import { ErrorNotice, FieldError } from "@/components/errors/error-notice";
import { useFieldErrors } from "@/components/errors/field-errors";
import { STATE_VERBS, STATE_VERB_NAMES, type TStateVerb } from "@/server/domain/member-verbs";
import { MemberSettingsDialog } from "@/components/actions/member-settings-dialog";
import { offeredSettings } from "@/components/actions/settings-text";
import type { TFrontendRow, TMemberRow } from "@/components/cluster/use-live-cluster";

type TVerb = TStateVerb;
export const VERB_LABEL: Record<TVerb, string> = {
  drain: "Drain",
  disable: "Disable",
  stop: "Stop",
  standby: "Standby",
  enable: "Enable",
};

const WEIGHT_FIELDS = ["weight"] as const;

type TPending = { kind: "verb"; verb: TVerb } | { kind: "weight" } | { kind: "settings" } | null;

/**
 * The actions of one member, as a menu (one compact button per row, so the control stays in reach with
 * eight frontends side by side). Only verbs every frontend of the cluster supports, or explains how it
 * handles instead (caveats: a kind's capability notes, per state), are offered; every disruptive one asks
 * first, states its impact and shows those caveats.
 */
export function MemberActions({
  cluster,
  member,
  intendedState,
  drift,
  supportedStates,
  caveats = {},
  onResult,
  buttonProps,
  settings,
}: {
  cluster: string;
  member: string;
  intendedState: string | null;
  drift: boolean;
  supportedStates: readonly string[];
  caveats?: Record<string, string[]>;
  onResult: (r: TActionResult | TActionResult[]) => void;
  /** Extra attributes for the menu button (the members table's keyboard navigation). */
  buttonProps?: Record<string, string>;
  /** The cluster's frontends and what each shows for the member: "Edit settings…" offers what they have. */
  settings?: { frontends: readonly TFrontendRow[]; states: TMemberRow["states"] };
}) {
  const trpc = useTRPC();
  const [pending, setPending] = useState<TPending>(null);
  const verbs = STATE_VERB_NAMES.filter(
    (v) => supportedStates.includes(STATE_VERBS[v]) && STATE_VERBS[v] !== intendedState,
  );
  const reapply = useMutation(trpc.member.reapply.mutationOptions({ onSuccess: (r) => onResult(r) }));
  const items: TMenuItem[] = [
    ...verbs.map((v) => ({
      label: VERB_LABEL[v],
      danger: v !== "enable",
      onSelect: () => setPending({ kind: "verb", verb: v }),
    })),
    { label: "Weight…", onSelect: () => setPending({ kind: "weight" }) },
    ...(settings && offeredSettings(settings.frontends).length > 0
      ? [{ label: "Edit settings…", hint: "route, redirect, lbset…", onSelect: () => setPending({ kind: "settings" }) }]
      : []),
    ...(drift
      ? [
          {
            label: reapply.isPending ? "Re-applying…" : "Re-apply intended state",
            hint: "only to the frontends that drifted",
            onSelect: () => reapply.mutate({ cluster, member }),
          },
        ]
      : []),
  ];
  return (
    <>
      <MenuButton label="Actions" ariaLabel={`Actions for ${member}`} items={items} buttonProps={buttonProps} />
      <ErrorNotice error={reapply.error} context="Re-apply failed" inline />
      {pending?.kind === "verb" && (
        <VerbDialog
          cluster={cluster}
          member={member}
          verb={pending.verb}
          caveats={caveats[STATE_VERBS[pending.verb]] ?? []}
          onClose={() => setPending(null)}
          onResult={onResult}
        />
      )}
      {pending?.kind === "weight" && (
        <WeightDialog cluster={cluster} member={member} onClose={() => setPending(null)} onResult={onResult} />
      )}
      {pending?.kind === "settings" && settings && (
        <MemberSettingsDialog
          cluster={cluster}
          member={member}
          frontends={settings.frontends}
          states={settings.states}
          onClose={() => setPending(null)}
          onResult={onResult}
        />
      )}
    </>
  );
}

function VerbDialog({
  cluster,
  member,
  verb,
  caveats,
  onClose,
  onResult,
}: {
  cluster: string;
  member: string;
  verb: TVerb;
  caveats: string[];
  onClose: () => void;
  onResult: (r: TActionResult) => void;
}) {
  const trpc = useTRPC();
  const impact = useQuery(trpc.member.impact.queryOptions({ cluster, member, verb }));
  const [force, setForce] = useState(false);
  const action = useMutation(
    trpc.member[verb].mutationOptions({
      onSuccess: (r) => {
        onResult(r);
        onClose();
      },
    }),
  );
  const leavesNoActive = impact.data?.leavesNoActive ?? false;
  return (
    <ConfirmDialog
      title={`${VERB_LABEL[verb]} ${member} on every frontend?`}
      confirmLabel={`${VERB_LABEL[verb]} ${member}`}
      danger={verb !== "enable"}
      pending={action.isPending}
      confirmDisabled={leavesNoActive && !force}
      onConfirm={() => action.mutate({ cluster, member, force })}
      onClose={onClose}
    >
      {impact.isPending && <p aria-busy="true">Working out the impact…</p>}
      <ErrorNotice error={impact.error} context="Impact unknown" inline />
      {impact.data && <p>{impact.data.summary}</p>}
      {caveats.length > 0 && (
        <ul aria-label="Frontend limits" className="muted">
          {caveats.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      )}
      {leavesNoActive && (
        <div className="alert error">
          <p style={{ marginTop: 0 }}>No member would be left active to take new sessions.</p>
          <label style={{ flexDirection: "row", gap: ".4rem", alignItems: "center" }}>
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> I understand: do it
            anyway
          </label>
        </div>
      )}
      <ErrorNotice error={action.error} context={`${VERB_LABEL[verb]} failed`} />
    </ConfirmDialog>
  );
}

function WeightDialog({
  cluster,
  member,
  onClose,
  onResult,
}: {
  cluster: string;
  member: string;
  onClose: () => void;
  onResult: (r: TActionResult) => void;
}) {
  const trpc = useTRPC();
  const [weight, setWeight] = useState("1");
  const action = useMutation(
    trpc.member.setWeight.mutationOptions({
      onSuccess: (r) => {
        onResult(r);
        onClose();
      },
    }),
  );
  const fields = useFieldErrors(action.error, WEIGHT_FIELDS);
  return (
    <ConfirmDialog
      title={`Set the weight of ${member} on every frontend`}
      confirmLabel="Set weight"
      pending={action.isPending}
      onConfirm={() => action.mutate({ cluster, member, weight: Number(weight) })}
      onClose={onClose}
    >
      <label>
        Weight (whole number, 1–100; each frontend&apos;s kind says if it takes less)
        <input
          value={weight}
          onChange={(e) => setWeight(e.target.value)}
          inputMode="numeric"
          autoFocus
          {...fields.inputProps("weight")}
        />
        <FieldError fields={fields} field="weight" />
      </label>
      <ErrorNotice error={action.error} context="Weight not set" fields={fields} />
    </ConfirmDialog>
  );
}
