"use client";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ConfirmDialog } from "@/components/actions/confirm-dialog";
import { ErrorNotice } from "@/components/errors/error-notice";
import type { TRouterOutputs } from "@/components/api-types";

type TAlert = TRouterOutputs["alert"]["list"]["alerts"][number];

const DURATIONS = [
  { label: "1 hour", ms: 3_600_000 },
  { label: "4 hours", ms: 4 * 3_600_000 },
  { label: "1 day", ms: 86_400_000 },
  { label: "1 week", ms: 7 * 86_400_000 },
];

/** Silences exactly this alert (its labels, severity aside) for a while, with a reason the audit keeps. */
export function SilenceForm({ alert, onClose }: { alert: TAlert; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [ms, setMs] = useState(DURATIONS[0]!.ms);
  const [reason, setReason] = useState("");
  const silence = useMutation(
    trpc.alert.silence.mutationOptions({
      onSuccess: async () => {
        await qc.invalidateQueries({ queryKey: trpc.alert.pathKey() });
        onClose();
      },
    }),
  );
  const matchers = Object.fromEntries(
    Object.entries(alert.labels).filter(([k]) => k !== "severity" && k !== "cluster"),
  );
  return (
    <ConfirmDialog
      title={`Silence: ${alert.summary}`}
      confirmLabel="Silence"
      pending={silence.isPending}
      confirmDisabled={reason.trim().length < 3}
      onClose={onClose}
      onConfirm={() =>
        silence.mutate({ cluster: alert.cluster, matchers, endsAt: new Date(Date.now() + ms), reason: reason.trim() })
      }
    >
      <p>
        No notification is sent for this alert until the silence ends; it stays on this page. If it still fires then,
        Alertmanager and the webhooks are told at once.
      </p>
      <p className="muted">
        Matches:{" "}
        {Object.entries(matchers)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ")}{" "}
        in {alert.cluster}
      </p>
      <label>
        For
        <select value={ms} onChange={(e) => setMs(Number(e.target.value))}>
          {DURATIONS.map((d) => (
            <option key={d.ms} value={d.ms}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Reason
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="tomcat3 is being rebuilt"
          required
        />
      </label>
      <ErrorNotice error={silence.error} context="Cannot create the silence" />
    </ConfirmDialog>
  );
}
