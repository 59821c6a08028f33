"use client";
import { useId, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ConfirmDialog } from "@/components/actions/confirm-dialog";
import type { TActionResult } from "@/components/actions/action-result";
import { ErrorNotice } from "@/components/errors/error-notice";
import type { TFrontendRow, TMemberRow } from "@/components/cluster/use-live-cluster";
import { offeredSettings } from "@/components/actions/settings-text";
import {
  SETTING_LABELS,
  SETTING_MEANINGS,
  isTextSetting,
  settingValueProblem,
  type TMemberSettingChange,
  type TMemberSettingName,
} from "@/server/domain/member-settings";

/** What each frontend shows for a setting now ("" and 0 included), for the pre-fill and the hint. */
function shownValues(name: TMemberSettingName, frontends: readonly TFrontendRow[], states: TMemberRow["states"]) {
  return frontends.flatMap((f, i) => {
    const value = states[i]?.settings?.[name];
    return f.memberSettings?.[name] && value !== undefined ? [{ frontend: f.name, value: String(value) }] : [];
  });
}

/**
 * "Edit settings" of one member: route, redirect, lbset, domain, distance, as far as its frontends have them
 * (capabilities.memberSettings), pre-filled with what they show. Only the fields changed are sent, one
 * member.setSetting each (read back and audited one by one); the per-frontend results go to the page like a
 * weight change's. Frontends whose kind has no settings are named with their reason.
 */
export function MemberSettingsDialog({
  cluster,
  member,
  frontends,
  states,
  onClose,
  onResult,
}: {
  cluster: string;
  member: string;
  frontends: readonly TFrontendRow[];
  states: TMemberRow["states"];
  onClose: () => void;
  onResult: (r: TActionResult[]) => void;
}) {
  const trpc = useTRPC();
  const base = useId();
  const offered = offeredSettings(frontends);
  const initial = Object.fromEntries(
    offered.map((name) => [name, shownValues(name, frontends, states)[0]?.value ?? ""]),
  ) as Record<TMemberSettingName, string>;
  const [values, setValues] = useState(initial);
  const [tried, setTried] = useState(false);
  const action = useMutation(trpc.member.setSetting.mutationOptions());
  const [sending, setSending] = useState(false);

  const changes: TMemberSettingChange[] = offered
    .filter((name) => values[name] !== initial[name])
    .map((name) => ({ name, value: isTextSetting(name) ? values[name] : toNumber(values[name]) }));
  const problems = new Map(
    changes.flatMap((c) => {
      const p = settingValueProblem(c.name, c.value);
      return p ? [[c.name, p] as const] : [];
    }),
  );
  const without = frontends.filter((f) => f.enabled && !offered.some((n) => f.memberSettings?.[n]));

  async function send() {
    setTried(true);
    if (changes.length === 0 || problems.size > 0) return;
    setSending(true);
    const results: TActionResult[] = [];
    try {
      // One at a time, in the dialog's order: each is read back before the next, as the CLI does.
      for (const setting of changes) results.push(await action.mutateAsync({ cluster, member, setting }));
      onResult(results);
      onClose();
    } catch {
      // The error is shown by ErrorNotice; what was done before it is still reported.
      if (results.length > 0) onResult(results);
    } finally {
      setSending(false);
    }
  }

  return (
    <ConfirmDialog
      title={`Settings of ${member} on its frontends`}
      confirmLabel={changes.length > 1 ? `Apply ${changes.length} changes` : "Apply"}
      pending={sending}
      confirmDisabled={changes.length === 0 || problems.size > 0}
      onConfirm={() => void send()}
      onClose={onClose}
    >
      {offered.length === 0 && <p>No frontend of this member can change its settings at run time.</p>}
      {offered.map((name) => {
        const shown = shownValues(name, frontends, states);
        const distinct = new Set(shown.map((s) => s.value));
        const problem = problems.get(name);
        const errorId = `${base}-${name}-error`;
        const hintId = `${base}-${name}-hint`;
        const kinds = frontends.filter((f) => f.memberSettings?.[name]).map((f) => f.name);
        return (
          <label key={name}>
            {SETTING_LABELS[name]}
            <input
              name={name}
              value={values[name]}
              inputMode={isTextSetting(name) ? "text" : "numeric"}
              onChange={(e) => setValues({ ...values, [name]: e.target.value })}
              aria-invalid={problem && tried ? true : undefined}
              aria-describedby={[hintId, problem ? errorId : ""].filter(Boolean).join(" ")}
            />
            <span id={hintId} className="muted">
              {SETTING_MEANINGS[name]} On: {kinds.join(", ")}.
              {distinct.size > 1 &&
                ` The frontends differ: ${shown.map((s) => `${s.frontend} "${s.value}"`).join(", ")}.`}
            </span>
            {problem && (
              <span id={errorId} className="field-error" role={tried ? "alert" : undefined}>
                {problem}
              </span>
            )}
          </label>
        );
      })}
      {without.length > 0 && (
        <ul aria-label="Frontends without member settings" className="muted">
          {without.map((f) => (
            <li key={f.id}>
              {f.name}: {f.settingsNote ?? "this kind has no member settings"}
            </li>
          ))}
        </ul>
      )}
      <ErrorNotice error={action.error} context="Setting not changed" />
    </ConfirmDialog>
  );
}

/** A whole number as typed, or NaN (settingValueProblem then says what is expected). */
function toNumber(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
}
