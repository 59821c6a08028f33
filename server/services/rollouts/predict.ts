/** One wait sample: [epoch ms, remaining] (sessions, unsafe sessions or in-flight requests). */
export type TSample = [number, number];

export const MAX_SAMPLES = 600;

/** Keeps the first sample (the starting level) and the most recent ones: a long wait stays bounded. */
export function appendSample(samples: TSample[], s: TSample): TSample[] {
  const next = [...samples, s];
  return next.length <= MAX_SAMPLES ? next : [next[0]!, ...next.slice(next.length - MAX_SAMPLES + 1)];
}

/**
 * When `remaining` is predicted to reach 0: a least-squares line over the last `window` samples. Null
 * when it is not falling (flat or rising: sessions do not end by themselves while users stay active) or
 * there are too few samples to say. Already 0: the last sample's time.
 */
export function predictFinish(samples: TSample[], window = 60): number | null {
  const last = samples.at(-1);
  if (!last) return null;
  if (last[1] === 0) return last[0];
  const pts = samples.slice(-window);
  if (pts.length < 3) return null;
  const n = pts.length;
  const t0 = pts[0]![0];
  let sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  for (const [t, y] of pts) {
    const x = (t - t0) / 1000;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const denom = n * sxx - sx * sx;
  if (denom === 0) return null;
  const slope = (n * sxy - sx * sy) / denom; // per second
  if (!(slope < 0)) return null;
  return Math.round(last[0] + (last[1] / -slope) * 1000);
}
