const LABELS: Record<string, string> = {
  healthy: "healthy",
  degraded: "degraded",
  failing: "failing",
  unknown: "unknown",
  empty: "empty",
  recovering: "recovering",
  active: "active",
  draining: "draining",
  disabled: "disabled",
  stopped: "stopped",
  standby: "standby",
  "hot-spare": "hot spare",
  up: "up",
  down: "down",
  ok: "ok",
  warning: "warning",
};

/** A state as a coloured pill; the text carries the meaning, colour only repeats it. */
export function StateBadge({ state, title }: { state: string; title?: string }) {
  return (
    <span className={`badge ${state}`} title={title}>
      {LABELS[state] ?? state}
    </span>
  );
}
