"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import type { TApiError, TRouterInputs, TRouterOutputs } from "@/components/api-types";
import { ErrorNotice, FieldError } from "@/components/errors/error-notice";
import { useFieldErrors } from "@/components/errors/field-errors";

export type TFrontendInput = TRouterInputs["frontend"]["create"]["data"];
type TKindInfo = TRouterOutputs["frontend"]["kinds"][number];

/** The fields as the API names them under `data`, so an issue shows beside its field. */
const FIELDS = ["name", "kind", "url", "balancer", "username", "password", "pollIntervalMs", "timeoutMs", "options"];

export interface TFrontendDraft {
  name: string;
  kind: string;
  url: string;
  balancer: string;
  username: string;
  password: string;
  pollIntervalMs: string;
  timeoutMs: string;
  enabled: boolean;
  /** The kind's options as JSON text ("" = none); the kind's adapter validates them on save. */
  options: string;
}

export const EMPTY_FRONTEND: TFrontendDraft = {
  name: "",
  kind: "apache-balancer",
  url: "",
  balancer: "",
  username: "",
  password: "",
  pollIntervalMs: "2000",
  timeoutMs: "1500",
  enabled: true,
  options: "",
};

/** Stored options (JSON text) as the editor shows them: "" for none, else indented JSON. */
export function optionsDraft(stored: string | null | undefined): string {
  if (!stored || stored === "{}") return "";
  try {
    return JSON.stringify(JSON.parse(stored), null, 2);
  } catch {
    return stored;
  }
}

/** The draft's options as an object, or a message saying why the text is not a JSON object. */
function parseOptionsDraft(text: string): { value: Record<string, unknown> } | { error: string } {
  if (text.trim() === "") return { value: {} };
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v))
      return { error: 'Options must be a JSON object, e.g. {"includeFile": "/etc/nginx/clusterdeck/upstream.conf"}' };
    return { value: v as Record<string, unknown> };
  } catch (err) {
    return { error: `Options are not valid JSON: ${(err as Error).message}` };
  }
}

/** The API input for a draft whose kind is one of `kinds` (the form offers no other). */
function toFrontendInput(d: TFrontendDraft, kind: TKindInfo["kind"]): TFrontendInput {
  const options = parseOptionsDraft(d.options);
  return {
    name: d.name,
    kind,
    url: d.url,
    balancer: d.balancer,
    username: d.username || null,
    password: d.password || null,
    pollIntervalMs: Number(d.pollIntervalMs),
    timeoutMs: Number(d.timeoutMs),
    enabled: d.enabled,
    // The form refuses to submit text that is not a JSON object (see FrontendForm), so this is the value.
    options: "value" in options ? options.value : {},
  };
}

/** Fields of one frontend. Kinds come from the adapter registry through the API. */
export function FrontendForm({
  initial,
  submitLabel,
  pending,
  passwordHint,
  error,
  onSubmit,
  onCancel,
}: {
  initial: TFrontendDraft;
  submitLabel: string;
  pending: boolean;
  passwordHint?: string;
  /** The failed create/update, shown in the form: each issue beside its field. */
  error: TApiError | null;
  onSubmit: (input: TFrontendInput, draft: TFrontendDraft) => void;
  onCancel?: () => void;
}) {
  const trpc = useTRPC();
  const kinds = useQuery(trpc.frontend.kinds.queryOptions());
  const [d, setD] = useState(initial);
  const example = kinds.data?.find((k) => k.kind === d.kind)?.targetExample;
  const adminOnly = kinds.data?.find((k) => k.kind === d.kind)?.adminOnlyOptions ?? [];
  const [optionsError, setOptionsError] = useState<string | null>(null);
  const fields = useFieldErrors(error, FIELDS, "data");
  const set =
    (k: keyof TFrontendDraft) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
      setD({ ...d, [k]: e.target.value });
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        const parsed = parseOptionsDraft(d.options);
        setOptionsError("error" in parsed ? parsed.error : null);
        const kind = kinds.data?.find((k) => k.kind === d.kind)?.kind;
        if (!("error" in parsed) && kind) onSubmit(toFrontendInput(d, kind), d);
      }}
    >
      <label>
        Name
        <input value={d.name} onChange={set("name")} required {...fields.inputProps("name")} />
        <FieldError fields={fields} field="name" />
      </label>
      <label>
        Kind
        <select value={d.kind} onChange={set("kind")} {...fields.inputProps("kind")}>
          {(kinds.data ?? [{ kind: d.kind, label: d.kind }]).map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
        <FieldError fields={fields} field="kind" />
      </label>
      <label style={{ minWidth: "20rem" }}>
        Status page URL
        <input
          value={d.url}
          onChange={set("url")}
          required
          placeholder={example?.url ?? "http://10.0.0.2/balancer-manager"}
          {...fields.inputProps("url")}
        />
        <FieldError fields={fields} field="url" />
      </label>
      <label>
        Balancer / lb worker
        <input
          value={d.balancer}
          onChange={set("balancer")}
          required
          placeholder={example?.balancer ?? "mycluster or lb"}
          {...fields.inputProps("balancer")}
        />
        <FieldError fields={fields} field="balancer" />
      </label>
      <label>
        User
        <input
          value={d.username}
          onChange={set("username")}
          autoComplete="off"
          size={10}
          {...fields.inputProps("username")}
        />
        <FieldError fields={fields} field="username" />
      </label>
      <label>
        Password
        <input
          type="password"
          value={d.password}
          onChange={set("password")}
          autoComplete="new-password"
          size={10}
          placeholder={passwordHint}
          {...fields.inputProps("password")}
        />
        <FieldError fields={fields} field="password" />
      </label>
      <label>
        Poll every (ms)
        <input
          value={d.pollIntervalMs}
          onChange={set("pollIntervalMs")}
          inputMode="numeric"
          size={6}
          {...fields.inputProps("pollIntervalMs")}
        />
        <FieldError fields={fields} field="pollIntervalMs" />
      </label>
      <label>
        Timeout (ms)
        <input
          value={d.timeoutMs}
          onChange={set("timeoutMs")}
          inputMode="numeric"
          size={6}
          {...fields.inputProps("timeoutMs")}
        />
        <FieldError fields={fields} field="timeoutMs" />
      </label>
      <label style={{ minWidth: "24rem" }}>
        Options (JSON; nginx: includeFile, testCommand, reloadCommand, stubStatusUrl, probePath)
        <textarea
          value={d.options}
          onChange={set("options")}
          rows={d.options ? 6 : 1}
          spellCheck={false}
          style={{ fontFamily: "monospace" }}
          {...fields.inputProps("options")}
        />
        {adminOnly.length > 0 && (
          <span className="muted">
            Only an admin may set or change {adminOnly.join(", ")}: they run programs or write a file on the
            console&apos;s host.
          </span>
        )}
        {optionsError && (
          <span className="field-error" role="alert">
            {optionsError}
          </span>
        )}
        <FieldError fields={fields} field="options" />
      </label>
      <label style={{ flexDirection: "row", alignItems: "center", gap: ".3rem" }}>
        <input type="checkbox" checked={d.enabled} onChange={(e) => setD({ ...d, enabled: e.target.checked })} /> Poll
        it
      </label>
      <button className="primary" type="submit" disabled={pending || !kinds.data}>
        {submitLabel}
      </button>
      {onCancel && (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      )}
      <div style={{ flexBasis: "100%" }}>
        <ErrorNotice error={kinds.error} context="Cannot load the frontend kinds" />
        <ErrorNotice error={error} context={`${submitLabel} failed`} fields={fields} />
      </div>
    </form>
  );
}
