"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";

/**
 * Everyone changes their own password here: the current one is required, and every other browser
 * session of the user ends (this one stays signed in).
 */
export function ChangePasswordForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [currentPassword, setCurrent] = useState("");
  const [newPassword, setNew] = useState("");
  const [repeat, setRepeat] = useState("");
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: () => {
        setCurrent("");
        setNew("");
        setRepeat("");
        router.refresh(); // the "change the generated password" notice goes away
      },
    }),
  );
  const mismatch = repeat !== "" && repeat !== newPassword;
  return (
    <form
      className="panel"
      style={{ maxWidth: 420, display: "grid", gap: ".75rem" }}
      aria-labelledby="change-password-h"
      onSubmit={(e) => {
        e.preventDefault();
        if (!mismatch) change.mutate({ currentPassword, newPassword });
      }}
    >
      <h2 id="change-password-h">Change your password</h2>
      <label>
        Current password
        <input
          type="password"
          value={currentPassword}
          onChange={(e) => setCurrent(e.target.value)}
          autoComplete="current-password"
          required
        />
      </label>
      <label>
        New password (10+ characters)
        <input
          type="password"
          value={newPassword}
          onChange={(e) => setNew(e.target.value)}
          autoComplete="new-password"
          minLength={10}
          required
        />
      </label>
      <label>
        New password again
        <input
          type="password"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          autoComplete="new-password"
          aria-invalid={mismatch || undefined}
          aria-describedby={mismatch ? "repeat-mismatch" : undefined}
          required
        />
      </label>
      {mismatch && (
        <p id="repeat-mismatch" className="field-error" role="alert">
          The two new passwords differ.
        </p>
      )}
      <ErrorNotice error={change.error} context="The password was not changed" />
      {change.data && (
        <p className="alert info" role="status">
          Password changed.{" "}
          {change.data.endedSessions > 0
            ? `${change.data.endedSessions} other session(s) were signed out.`
            : "No other session was signed in."}
        </p>
      )}
      <button type="submit" className="primary" disabled={change.isPending || mismatch}>
        {change.isPending ? "Changing…" : "Change password"}
      </button>
    </form>
  );
}
