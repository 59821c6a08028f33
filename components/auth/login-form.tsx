"use client";
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";

export function LoginForm({ next }: { next: string }) {
  const trpc = useTRPC();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      // A full navigation, so server components see the new cookie.
      // `next` is already checked on the server (safeNextPath): a path on this console only.
      onSuccess: () => window.location.assign(next),
    }),
  );
  return (
    <form
      className="panel"
      style={{ maxWidth: 380, display: "grid", gap: ".75rem" }}
      onSubmit={(e) => {
        e.preventDefault();
        login.mutate({ username, password });
      }}
    >
      <h1>Sign in</h1>
      <label>
        User name
        <input
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
          required
          autoFocus
        />
      </label>
      <label>
        Password
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          required
        />
      </label>
      <ErrorNotice
        error={login.error}
        context="Not signed in"
        advice={
          login.error?.data?.appCode === "UNAUTHENTICATED"
            ? "Check the user name and password (an administrator can set a new one)."
            : undefined
        }
      />
      <button className="primary" type="submit" disabled={login.isPending}>
        {login.isPending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
