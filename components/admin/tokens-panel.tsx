"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";

/** API tokens: created here, shown once, stored hashed, revocable, optionally expiring; last-used time shown. */
export function TokensPanel() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const list = useQuery(trpc.token.list.queryOptions());
  const [name, setName] = useState("");
  const [role, setRole] = useState<"viewer" | "operator" | "admin">("operator");
  const [expiresInDays, setExpiresInDays] = useState<number | null>(90);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.token.list.queryKey() });
  const create = useMutation(trpc.token.create.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.token.revoke.mutationOptions({ onSuccess: refresh }));
  return (
    <section aria-labelledby="tokens-h">
      <h2 id="tokens-h">API tokens</h2>
      <form
        className="inline panel"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name, role, expiresInDays });
        }}
      >
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required placeholder="deploy-pipeline" />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as typeof role)}>
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label>
          Expires
          <select
            value={expiresInDays ?? "never"}
            onChange={(e) => setExpiresInDays(e.target.value === "never" ? null : Number(e.target.value))}
          >
            <option value={30}>in 30 days</option>
            <option value={90}>in 90 days</option>
            <option value={365}>in a year</option>
            <option value="never">never</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          Create token
        </button>
      </form>
      <ErrorNotice error={list.error} context="Cannot load the tokens" />
      <ErrorNotice error={create.error ?? revoke.error} context="Cannot change the tokens" />
      {create.data && (
        <div className="alert info" role="status">
          <p style={{ marginTop: 0 }}>
            Token <strong>{create.data.name}</strong> ({create.data.role}). Copy it now: it is not shown again.
          </p>
          <code aria-label="New token" style={{ userSelect: "all", wordBreak: "break-all" }}>
            {create.data.token}
          </code>
        </div>
      )}
      {list.data && list.data.length === 0 && <p className="muted">No tokens yet.</p>}
      {list.data && list.data.length > 0 && (
        <table aria-label="API tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">Role</th>
              <th scope="col">Owner</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((t) => (
              <tr key={t.id} aria-label={`Token ${t.name}`}>
                <th scope="row">{t.name}</th>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{t.role}</td>
                <td>{t.owner}</td>
                <td>{t.createdAt.toLocaleString()}</td>
                <td>{t.lastUsedAt ? t.lastUsedAt.toLocaleString() : "never"}</td>
                <td>{t.expiresAt ? t.expiresAt.toLocaleString() : "never"}</td>
                <td>
                  {t.revokedAt ? (
                    `revoked ${t.revokedAt.toLocaleString()}`
                  ) : t.expired ? (
                    "expired"
                  ) : (
                    <button
                      type="button"
                      className="danger"
                      onClick={() =>
                        window.confirm(`Revoke token ${t.name}? Scripts using it get 401 from now on.`) &&
                        revoke.mutate({ id: t.id })
                      }
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
