"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { UserRow } from "@/components/admin/user-row";

/** People who sign in: add one, change a role, disable or enable, set a password. */
export function UsersPanel() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const list = useQuery(trpc.user.list.queryOptions());
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<"viewer" | "operator" | "admin">("viewer");
  const create = useMutation(
    trpc.user.create.mutationOptions({
      onSuccess: () => {
        setUsername("");
        setPassword("");
        return qc.invalidateQueries({ queryKey: trpc.user.list.queryKey() });
      },
    }),
  );
  return (
    <section aria-labelledby="users-h">
      <h2 id="users-h">Users</h2>
      <ErrorNotice error={list.error} context="Cannot load the users" />
      {list.data && (
        <table aria-label="Users">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Password set</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((u) => (
              <UserRow key={u.id} user={u} />
            ))}
          </tbody>
        </table>
      )}
      <form
        className="inline panel"
        style={{ marginTop: ".75rem" }}
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ username, password, role });
        }}
      >
        <label>
          User name
          <input value={username} onChange={(e) => setUsername(e.target.value)} required autoComplete="off" />
        </label>
        <label>
          Password (10+ characters)
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoComplete="new-password"
          />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as typeof role)}>
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          Add user
        </button>
      </form>
      <ErrorNotice error={create.error} context="Cannot add the user" />
    </section>
  );
}
