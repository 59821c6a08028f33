"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";

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
}

export const EMPTY_FRONTEND: TFrontendDraft = { name: "", kind: "apache-balancer", url: "", balancer: "", username: "", password: "", pollIntervalMs: "2000", timeoutMs: "1500", enabled: true };

export function toFrontendInput(d: TFrontendDraft) {
  return {
    name: d.name,
    kind: d.kind as "apache-balancer" | "mod-jk",
    url: d.url,
    balancer: d.balancer,
    username: d.username || null,
    password: d.password || null,
    pollIntervalMs: Number(d.pollIntervalMs),
    timeoutMs: Number(d.timeoutMs),
    enabled: d.enabled,
  };
}

/** Fields of one frontend. Kinds come from the adapter registry through the API. */
export function FrontendForm({ initial, submitLabel, pending, passwordHint, onSubmit, onCancel }: { initial: TFrontendDraft; submitLabel: string; pending: boolean; passwordHint?: string; onSubmit: (d: TFrontendDraft) => void; onCancel?: () => void }) {
  const trpc = useTRPC();
  const kinds = useQuery(trpc.frontend.kinds.queryOptions());
  const [d, setD] = useState(initial);
  const set = (k: keyof TFrontendDraft) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setD({ ...d, [k]: e.target.value });
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
        Kind
        <select value={d.kind} onChange={set("kind")}>
          {(kinds.data ?? [{ kind: d.kind, label: d.kind }]).map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <label style={{ minWidth: "20rem" }}>
        Status page URL
        <input value={d.url} onChange={set("url")} required placeholder="http://10.0.0.2/balancer-manager" />
      </label>
      <label>
        Balancer / lb worker
        <input value={d.balancer} onChange={set("balancer")} required placeholder="mycluster or lb" />
      </label>
      <label>
        User
        <input value={d.username} onChange={set("username")} autoComplete="off" size={10} />
      </label>
      <label>
        Password
        <input type="password" value={d.password} onChange={set("password")} autoComplete="new-password" size={10} placeholder={passwordHint} />
      </label>
      <label>
        Poll every (ms)
        <input value={d.pollIntervalMs} onChange={set("pollIntervalMs")} inputMode="numeric" size={6} />
      </label>
      <label>
        Timeout (ms)
        <input value={d.timeoutMs} onChange={set("timeoutMs")} inputMode="numeric" size={6} />
      </label>
      <label style={{ flexDirection: "row", alignItems: "center", gap: ".3rem" }}>
        <input type="checkbox" checked={d.enabled} onChange={(e) => setD({ ...d, enabled: e.target.checked })} /> Poll it
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
