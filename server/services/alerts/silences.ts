/** A silence as the engine keeps it in memory: label matchers (all equal) until endsAt. */
export interface TActiveSilence {
  id: number;
  matchers: Record<string, string>;
  endsAt: number;
}

/** The first silence that covers these labels now (every matcher equal), or null. */
export function silencedBy(
  labels: Record<string, string>,
  silences: readonly TActiveSilence[],
  now: number,
): TActiveSilence | null {
  for (const s of silences) {
    if (s.endsAt <= now) continue;
    if (Object.entries(s.matchers).every(([k, v]) => labels[k] === v)) return s;
  }
  return null;
}
