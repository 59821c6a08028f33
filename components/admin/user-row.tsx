"use client";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import type { TRouterOutputs } from "@/components/api-types";

type TUser = TRouterOutputs["user"]["list"][number];
const ROLE_RANK = { viewer: 0, operator: 1, admin: 2 } as const;
type TRoleName = keyof typeof ROLE_RANK;
const isRoleName = (r: string): r is TRoleName => r in ROLE_RANK;

/**
 * One user: role, enabled or disabled, set a password. Lowering a role, disabling and setting a password
 * end the user's browser sessions at once (disabling also stops their API tokens): each asks first and
 * says so.
 */
export function UserRow({ user }: { user: TUser }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.user.list.queryKey() });
  const setRole = useMutation(trpc.user.setRole.mutationOptions({ onSuccess: refresh }));
  const disable = useMutation(trpc.user.disable.mutationOptions({ onSuccess: refresh }));
  const enable = useMutation(trpc.user.enable.mutationOptions({ onSuccess: refresh }));
  const setPassword = useMutation(trpc.user.setPassword.mutationOptions({ onSuccess: refresh }));
  const [editing, setEditing] = useState(false);
  const [password, setPasswordDraft] = useState("");
  const error = setRole.error ?? disable.error ?? enable.error ?? setPassword.error;

  const changeRole = (role: TRoleName) => {
    const lowers = isRoleName(user.role) && ROLE_RANK[role] < ROLE_RANK[user.role];
    if (lowers && !window.confirm(`Make ${user.username} ${role}? Their browser sessions end now.`)) return;
    setRole.mutate({ id: user.id, role });
  };
  return (
    <tr aria-label={`User ${user.username}`}>
      <th scope="row">
        {user.username}
        {user.passwordGenerated && (
          <>
            {" "}
            <span className="badge degraded">generated password</span>
          </>
        )}
      </th>
      <td>
        <select
          aria-label={`Role of ${user.username}`}
          value={user.role}
          disabled={setRole.isPending}
          onChange={(e) => changeRole(e.target.value as TRoleName)}
        >
          <option value="viewer">viewer</option>
          <option value="operator">operator</option>
          <option value="admin">admin</option>
        </select>
      </td>
      <td>{user.disabled ? "disabled" : "enabled"}</td>
      <td>{user.passwordChangedAt ? user.passwordChangedAt.toLocaleString() : "–"}</td>
      <td>
        <div className="toolbar">
          {user.disabled ? (
            <button type="button" onClick={() => enable.mutate({ id: user.id })} disabled={enable.isPending}>
              Enable
            </button>
          ) : (
            <button
              type="button"
              className="danger"
              disabled={disable.isPending}
              onClick={() =>
                window.confirm(
                  `Disable ${user.username}? Their browser sessions end now and their API tokens stop working.`,
                ) && disable.mutate({ id: user.id })
              }
            >
              Disable
            </button>
          )}
          <button type="button" aria-expanded={editing} onClick={() => setEditing((v) => !v)}>
            Set password
          </button>
        </div>
        {editing && (
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              setPassword.mutate(
                { id: user.id, password },
                {
                  onSuccess: () => {
                    setPasswordDraft("");
                    setEditing(false);
                  },
                },
              );
            }}
          >
            <label>
              New password for {user.username} (10+ characters; their sessions end)
              <input
                type="password"
                value={password}
                onChange={(e) => setPasswordDraft(e.target.value)}
                autoComplete="new-password"
                minLength={10}
                required
              />
            </label>
            <button type="submit" className="primary" disabled={setPassword.isPending}>
              Save password
            </button>
          </form>
        )}
        <ErrorNotice error={error} context={`Cannot change ${user.username}`} inline />
      </td>
    </tr>
  );
}
