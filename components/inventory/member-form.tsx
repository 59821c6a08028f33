"use client";
import { useState } from "react";
import type { TApiError, TRouterInputs } from "@/components/api-types";
import { ErrorNotice, FieldError } from "@/components/errors/error-notice";
import { useFieldErrors } from "@/components/errors/field-errors";

export interface TMemberDraft {
  name: string;
  route: string;
  host: string;
  httpPort: string;
  ajpPort: string;
}

export const EMPTY_MEMBER: TMemberDraft = { name: "", route: "", host: "127.0.0.1", httpPort: "", ajpPort: "" };

/** The fields as the API names them under `data`, so an issue shows beside its field. */
const FIELDS = ["name", "route", "host", "httpPort", "ajpPort"];

export function toMemberInput(d: TMemberDraft): TRouterInputs["member"]["create"]["data"] {
  const port = (s: string) => (s.trim() === "" ? null : Number(s));
  return { name: d.name, route: d.route || d.name, host: d.host, httpPort: port(d.httpPort), ajpPort: port(d.ajpPort) };
}

/** Fields of one member; the server validates, this only collects (and shows each issue beside its field). */
export function MemberForm({
  initial,
  submitLabel,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  initial: TMemberDraft;
  submitLabel: string;
  pending: boolean;
  /** The failed create/update, shown in the form. */
  error: TApiError | null;
  onSubmit: (d: TMemberDraft) => void;
  onCancel?: () => void;
}) {
  const [d, setD] = useState(initial);
  const fields = useFieldErrors(error, FIELDS, "data");
  const set = (k: keyof TMemberDraft) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setD({ ...d, [k]: e.target.value });
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(d);
      }}
    >
      <label>
        Name
        <input value={d.name} onChange={set("name")} required {...fields.inputProps("name")} />
        <FieldError fields={fields} field="name" />
      </label>
      <label>
        Route (jvmRoute)
        <input value={d.route} onChange={set("route")} placeholder="same as name" {...fields.inputProps("route")} />
        <FieldError fields={fields} field="route" />
      </label>
      <label>
        Host
        <input value={d.host} onChange={set("host")} required {...fields.inputProps("host")} />
        <FieldError fields={fields} field="host" />
      </label>
      <label>
        HTTP port
        <input
          value={d.httpPort}
          onChange={set("httpPort")}
          inputMode="numeric"
          size={6}
          {...fields.inputProps("httpPort")}
        />
        <FieldError fields={fields} field="httpPort" />
      </label>
      <label>
        AJP port
        <input
          value={d.ajpPort}
          onChange={set("ajpPort")}
          inputMode="numeric"
          size={6}
          {...fields.inputProps("ajpPort")}
        />
        <FieldError fields={fields} field="ajpPort" />
      </label>
      <button className="primary" type="submit" disabled={pending}>
        {submitLabel}
      </button>
      {onCancel && (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      )}
      <div style={{ flexBasis: "100%" }}>
        <ErrorNotice error={error} context={`${submitLabel} failed`} fields={fields} />
      </div>
    </form>
  );
}
