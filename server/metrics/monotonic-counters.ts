/** The cumulative counters a balancer reports per member, as ClusterDeck exports them. */
export const MEMBER_COUNTERS = ["requests", "errors", "bytesIn", "bytesOut"] as const;
export type TMemberCounter = (typeof MEMBER_COUNTERS)[number];

interface TSeries {
  last: number;
  offset: number;
}

/**
 * Balancer counters restart from zero when the balancer restarts (an httpd graceful resets
 * balancer-manager's elected/transferred/read). Exported as is, a Prometheus counter would go back; it
 * copes with that (rate() treats a drop as a reset), but a sum over members or a dashboard of totals
 * would dip. So each series keeps an offset: when a reading is below the previous one, the previous one
 * is added to the offset, and the exported value keeps climbing. The offset lives in memory: a console
 * restart starts the series again, which Prometheus sees as one ordinary counter reset.
 */
export class MonotonicCounters {
  // frontend id -> member key -> counter -> series: read per reading at every scrape, so no string keys.
  private readonly frontends = new Map<number, Map<string, Partial<Record<TMemberCounter, TSeries>>>>();

  /** Records a reading of one counter of one member on one frontend; returns the monotonic value. */
  observe(frontendId: number, memberKey: string, counter: TMemberCounter, raw: number): number {
    let members = this.frontends.get(frontendId);
    if (!members) this.frontends.set(frontendId, (members = new Map()));
    let series = members.get(memberKey);
    if (!series) members.set(memberKey, (series = {}));
    const s = series[counter];
    if (!s) {
      series[counter] = { last: raw, offset: 0 };
      return raw;
    }
    if (raw < s.last) s.offset += s.last;
    s.last = raw;
    return raw + s.offset;
  }

  /** The monotonic value as of the last reading, or undefined when none was recorded. */
  value(frontendId: number, memberKey: string, counter: TMemberCounter): number | undefined {
    const s = this.frontends.get(frontendId)?.get(memberKey)?.[counter];
    return s ? s.last + s.offset : undefined;
  }

  /** Drops every series of a frontend (it was deleted): its labels must not linger. */
  forgetFrontend(frontendId: number): void {
    this.frontends.delete(frontendId);
  }

  /** Series kept (for tests and the bench). */
  get size(): number {
    let n = 0;
    for (const members of this.frontends.values())
      for (const series of members.values()) n += Object.keys(series).length;
    return n;
  }
}
