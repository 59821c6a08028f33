"use client";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";

/** Per-cluster switch: re-apply intended states by itself when a frontend drifts (e.g. after an httpd restart). */
export function AutoReapplyToggle({ clusterName, enabled }: { clusterName: string; enabled: boolean }) {
  const trpc = useTRPC();
  const set = useMutation(trpc.cluster.setAutoReapply.mutationOptions());
  return (
    <div className="toolbar" style={{ margin: ".25rem 0 .75rem" }}>
      <label style={{ flexDirection: "row", alignItems: "center", gap: ".4rem" }}>
        <input
          type="checkbox"
          checked={set.isPending ? !enabled : enabled}
          disabled={set.isPending}
          onChange={(e) => set.mutate({ name: clusterName, enabled: e.target.checked })}
        />
        Re-apply intended states automatically when a frontend drifts
      </label>
      <ErrorNotice error={set.error} context="Setting not changed" inline />
    </div>
  );
}
