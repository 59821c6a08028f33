"use client";
import { useState } from "react";

export interface TMemberDraft {
  name: string;
  route: string;
  host: string;
  httpPort: string;
  ajpPort: string;
}

export const EMPTY_MEMBER: TMemberDraft = { name: "", route: "", host: "127.0.0.1", httpPort: "", ajpPort: "" };

export function toMemberInput(d: TMemberDraft) {
  const port = (s: string) => (s.trim() === "" ? null : Number(s));
  return { name: d.name, route: d.route || d.name, host: d.host, httpPort: port(d.httpPort), ajpPort: port(d.ajpPort) };
}

/** Fields of one member; the server validates, this only collects. */
export function MemberForm({
  initial,
  submitLabel,
  pending,
  onSubmit,
  onCancel,
}: {
  initial: TMemberDraft;
  submitLabel: string;
  pending: boolean;
  onSubmit: (d: TMemberDraft) => void;
  onCancel?: () => void;
}) {
  const [d, setD] = useState(initial);
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
        <input value={d.name} onChange={set("name")} required />
      </label>
      <label>
        Route (jvmRoute)
        <input value={d.route} onChange={set("route")} placeholder="same as name" />
      </label>
      <label>
        Host
        <input value={d.host} onChange={set("host")} required />
      </label>
      <label>
        HTTP port
        <input value={d.httpPort} onChange={set("httpPort")} inputMode="numeric" size={6} />
      </label>
      <label>
        AJP port
        <input value={d.ajpPort} onChange={set("ajpPort")} inputMode="numeric" size={6} />
      </label>
      <button className="primary" type="submit" disabled={pending}>
        {submitLabel}
      </button>
      {onCancel && (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}
