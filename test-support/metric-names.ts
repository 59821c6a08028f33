/**
 * Metric names in a scrape and in the queries of docs/ (the Prometheus rules, the Grafana dashboard),
 * so tests can check that every name a query uses is one the console exposes.
 */

/**
 * Every name a scrape exposes: each family's TYPE line (a family is exposed even while it has no
 * sample, e.g. rollouts before the first one) and each sample's name (a histogram's _bucket, _sum, _count).
 */
export function exposedNames(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const line of scrape.split("\n")) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type) names.add(type[1]!);
    else if (line && !line.startsWith("#")) names.add(/^[^{ ]+/.exec(line)![0]);
  }
  return names;
}

/** Names with a sample in the scrape (not only a TYPE line). */
export function namesWithSamples(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const line of scrape.split("\n")) if (line && !line.startsWith("#")) names.add(/^[^{ ]+/.exec(line)![0]);
  return names;
}

/** The console's metric names a query text uses (its own, and prom-client's process_ and nodejs_ ones). */
export function queriedNames(text: string): Set<string> {
  return new Set(text.match(/\b(?:clusterdeck|process|nodejs)_[a-z0-9_]*[a-z0-9]/g) ?? []);
}
