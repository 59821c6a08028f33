"use client";
import { useEffect, useId, useRef, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ConfirmDialog } from "@/components/actions/confirm-dialog";
import { ErrorNotice } from "@/components/errors/error-notice";
import type { TRouterOutputs } from "@/components/api-types";
import {
  balancerChanges,
  balancerFields,
  balancerImpactText,
  balancerProblems,
  ruleText,
  type TBalancerField,
  type TBalancerFrontend,
} from "@/components/actions/balancer-settings-text";

export type TBalancerSettingResult = TRouterOutputs["frontend"]["setBalancerSetting"];

/**
 * "Balancer settings" of one frontend's balancer: exactly its kind's settings (capabilities.balancerSettings),
 * pre-filled with what the last poll read. Two steps, because a balancer setting changes every request and
 * not one member: edit (checked with the server's own rules), then a review that states the impact and
 * asks for the confirmation. Only the changed fields are sent, one frontend.setBalancerSetting each, in
 * order (each is read back before the next, as the CLI does); the results go to the page.
 */
export function BalancerSettingsDialog({
  cluster,
  frontend,
  onClose,
  onResult,
}: {
  cluster: string;
  frontend: TBalancerFrontend;
  onClose: () => void;
  onResult: (results: TBalancerSettingResult[]) => void;
}) {
  const trpc = useTRPC();
  // The form keeps what it opened with: a poll arriving while the operator types must not move the fields.
  const [fields] = useState(() => balancerFields(frontend));
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, f.initial])),
  );
  const [step, setStep] = useState<"edit" | "review">("edit");
  const [sending, setSending] = useState(false);
  const action = useMutation(trpc.frontend.setBalancerSetting.mutationOptions());
  const reviewRef = useRef<HTMLHeadingElement>(null);

  const changes = balancerChanges(fields, values);
  const problems = balancerProblems(fields, changes);

  useEffect(() => {
    // Focus goes to the summary, not to the button that now applies: a second Enter must not confirm.
    if (step === "review") reviewRef.current?.focus();
  }, [step]);

  async function apply() {
    setSending(true);
    const results: TBalancerSettingResult[] = [];
    try {
      for (const c of changes)
        results.push(await action.mutateAsync({ cluster, frontend: frontend.name, name: c.name, value: c.value }));
      onResult(results);
      onClose();
    } catch {
      // The error (typed, by its code) is shown by ErrorNotice; what was applied before it is still reported.
      if (results.length > 0) onResult(results);
      setStep("edit");
    } finally {
      setSending(false);
    }
  }

  return (
    <ConfirmDialog
      title={`Balancer ${frontend.balancer} on ${frontend.name}`}
      confirmLabel={step === "edit" ? "Review…" : changes.length > 1 ? `Apply ${changes.length} changes` : "Apply"}
      pending={sending}
      confirmDisabled={changes.length === 0 || problems.size > 0}
      onConfirm={() => (step === "edit" ? setStep("review") : void apply())}
      onClose={onClose}
    >
      {step === "edit" ? (
        <>
          <p className="muted">
            {frontend.kindLabel}: the settings of the whole balancer, as its status page names them. Values shown are
            from the last poll.
          </p>
          {fields.map((f) => (
            <BalancerField
              key={f.name}
              field={f}
              value={values[f.name] ?? ""}
              problem={problems.get(f.name) ?? null}
              onChange={(v) => setValues({ ...values, [f.name]: v })}
            />
          ))}
        </>
      ) : (
        <section aria-labelledby={`${frontend.name}-review`}>
          <h3 id={`${frontend.name}-review`} ref={reviewRef} tabIndex={-1} style={{ marginTop: 0 }}>
            Confirm {changes.length === 1 ? "this change" : `these ${changes.length} changes`}
          </h3>
          <p role="note">{balancerImpactText(frontend, changes)}</p>
          <button type="button" onClick={() => setStep("edit")} disabled={sending}>
            Back to the settings
          </button>
        </section>
      )}
      <ErrorNotice error={action.error} context="Balancer setting not changed" />
    </ConfirmDialog>
  );
}

function BalancerField({
  field,
  value,
  problem,
  onChange,
}: {
  field: TBalancerField;
  value: string;
  problem: string | null;
  onChange: (value: string) => void;
}) {
  const base = useId();
  const hintId = `${base}-hint`;
  const errorId = `${base}-error`;
  const { spec } = field;
  const choices = spec.type === "enum" ? spec.values : spec.type === "switch" ? ["on", "off"] : null;
  const describedBy = problem ? `${hintId} ${errorId}` : hintId;
  return (
    <label style={{ display: "block", marginBottom: ".75rem" }}>
      {field.name}
      {choices ? (
        <select
          name={field.name}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
        >
          {/* A value the page shows that the spec does not know stays visible, not silently replaced. */}
          {!choices.includes(value) && <option value={value}>{value || "(not shown)"}</option>}
          {choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      ) : (
        <input
          name={field.name}
          value={value}
          inputMode="numeric"
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={describedBy}
        />
      )}
      <span id={hintId} className="muted" style={{ display: "block" }}>
        {spec.meaning ? `${spec.meaning} ` : ""}
        {ruleText(spec)} Shows now: {field.shown ?? "not read yet"}.
      </span>
      {problem && (
        <span id={errorId} className="field-error" role="alert">
          {problem}
        </span>
      )}
    </label>
  );
}
