"use client";
import { useState } from "react";
import { FrontendsPanel } from "@/components/cluster/frontends-panel";
import type { TFrontendRow } from "@/components/cluster/use-live-cluster";
import { BalancerSettingsDialog, type TBalancerSettingResult } from "@/components/actions/balancer-settings-dialog";
import { BalancerSettingsResult } from "@/components/actions/balancer-settings-result";
import { hasBalancerSettings } from "@/components/actions/balancer-settings-text";

interface TShownResult {
  frontend: string;
  results: TBalancerSettingResult[];
}

/**
 * The frontends panel with its one action, "Balancer settings…", for operators on the frontends whose kind
 * has balancer settings. Viewers get the panel alone (the server refuses them anyway). The dialog takes the
 * row as it was when it opened; its results stay above the table until dismissed.
 */
export function FrontendsSection({
  cluster,
  frontends,
  canOperate,
}: {
  cluster: string;
  frontends: TFrontendRow[];
  canOperate: boolean;
}) {
  const [editing, setEditing] = useState<TFrontendRow | null>(null);
  const [shown, setShown] = useState<TShownResult[]>([]);
  return (
    <>
      {shown.map((r) => (
        <BalancerSettingsResult
          key={r.results[0]?.auditId ?? r.frontend}
          frontend={r.frontend}
          results={r.results}
          onDismiss={() => setShown((all) => all.filter((x) => x !== r))}
        />
      ))}
      <FrontendsPanel
        frontends={frontends}
        actionsFor={
          canOperate
            ? (f) =>
                hasBalancerSettings(f) ? (
                  <button type="button" onClick={() => setEditing(f)} aria-haspopup="dialog">
                    Balancer settings…
                  </button>
                ) : null
            : undefined
        }
      />
      {editing && (
        <BalancerSettingsDialog
          cluster={cluster}
          frontend={editing}
          onClose={() => setEditing(null)}
          onResult={(results) => setShown([{ frontend: editing.name, results }])}
        />
      )}
    </>
  );
}
