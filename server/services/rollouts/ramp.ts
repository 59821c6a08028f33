/** A frontend kind's runtime weight range (adapter capabilities), null when it has none. */
export type TWeightRange = { min: number; max: number; integer: boolean } | null;

/**
 * The weights one frontend gets at each ramp step: percent of the member's original weight there,
 * rounded to what the kind accepts and never below its minimum. balancer-manager, mod_jk and open-source
 * nginx have no slow start (HAProxy's `slowstart` is a config setting), so this is ClusterDeck's. With the common weight 1 every step is 1: nothing to ramp, but the
 * steps still dwell while errors are watched. The last step is always exactly the original weight.
 */
export function rampWeights(original: number, percents: number[], range: TWeightRange): number[] {
  if (!range) return percents.map(() => original);
  return percents.map((p, i) => {
    if (i === percents.length - 1 && p === 100) return original;
    const raw = (original * p) / 100;
    const rounded = range.integer ? Math.round(raw) : Math.round(raw * 100) / 100;
    return Math.min(range.max, Math.max(range.min, rounded));
  });
}
