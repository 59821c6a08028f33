"use client";
import Link from "next/link";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";

export function UserMenu({ username, role }: { username: string; role: string }) {
  const trpc = useTRPC();
  const logout = useMutation(trpc.auth.logout.mutationOptions({ onSuccess: () => window.location.assign("/login") }));
  return (
    <div className="toolbar" style={{ marginLeft: "auto", fontSize: ".9rem" }}>
      <span>
        <Link href="/account" title="Your account: change your password">
          {username}
        </Link>{" "}
        <span className="badge unknown">{role}</span>
      </span>
      <button type="button" onClick={() => logout.mutate()} disabled={logout.isPending}>
        Sign out
      </button>
    </div>
  );
}
