/**
 * The /metrics bench (issue 14): the console as the README starts it (`next start`, the large-cluster
 * rig) polling 4 synthetic balancer-manager frontends of 1,000 members, scraped over HTTP with a viewer
 * token (and on the metrics listener of CLUSTERDECK_METRICS_ADDR), with Accept-Encoding: gzip the way
 * Prometheus scrapes it, and once more uncompressed. Beside it,
 * the raw baseline: prom-client's own Registry holding the same series (same names, labels and values,
 * read from one of our scrapes), served by a bare node:http server over the same loopback with the same
 * compression. Both answer one GET with the whole exposition: the baseline is what the well-kept library
 * costs for serializing that many series when nothing has to be read or computed, so the ratio is what
 * reading the live state, the token check and our own writer add (or save).
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Gauge, Registry } from "prom-client";
import { encodeScrape } from "@/server/metrics/scrape-encoding";
import { freePort, startConsoleRig, type TConsoleRig } from "@/test-support/synthetic-frontend/console-rig";
import type { TBenchRow } from "./large-cluster";
import { benchTable } from "./benchmarks-md";

const SCRAPES = 21;
const GAP_MS = 1_000;
const TARGET_MS = 200;

const PROM_CLIENT_VERSION = (
  JSON.parse(
    fs.readFileSync(path.resolve(import.meta.dirname, "../../node_modules/prom-client/package.json"), "utf8"),
  ) as { version: string }
).version;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;
const fmtN = (n: number) => n.toLocaleString("en-US");

interface TTimed {
  ms: number;
  bytes: number;
  text: string;
  encoding: string | null;
}

/** One GET, its body read to the end: the wall time a scraper waits. */
async function timedGet(url: string, headers: Record<string, string> = {}): Promise<TTimed> {
  const t0 = performance.now();
  const res = await fetch(url, { headers });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return { ms, bytes: Buffer.byteLength(text), text, encoding: res.headers.get("content-encoding") };
}

interface TSeries {
  median: number;
  p90: number;
  max: number;
  last: TTimed;
}

function summary(runs: TTimed[]): TSeries {
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
  return { median: at(0.5), p90: at(0.9), max: ms[ms.length - 1]!, last: runs[runs.length - 1]! };
}

/**
 * `SCRAPES` rounds, each one GET of every way in, in a rotating order and `GAP_MS` apart (Prometheus
 * scrapes every 15 s; back to back would measure a GC pile-up): the machine's load at any moment falls
 * on all of them alike, ours and the baseline.
 */
async function interleaved<K extends string>(gets: Record<K, () => Promise<TTimed>>): Promise<Record<K, TSeries>> {
  const keys = Object.keys(gets) as K[];
  const runs = Object.fromEntries(keys.map((k) => [k, [] as TTimed[]])) as Record<K, TTimed[]>;
  for (let round = 0; round < SCRAPES; round++)
    for (let i = 0; i < keys.length; i++) {
      const k = keys[(round + i) % keys.length]!;
      await sleep(GAP_MS);
      runs[k].push(await gets[k]());
    }
  return Object.fromEntries(keys.map((k) => [k, summary(runs[k])])) as Record<K, TSeries>;
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const unescape = (v: string) => v.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));

/** prom-client's Registry holding every sample of a scrape as a gauge series (same name, labels, value). */
export function registryOf(scrape: string): { registry: Registry; samples: number } {
  const registry = new Registry();
  const gauges = new Map<string, Gauge>();
  let samples = 0;
  for (const line of scrape.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const brace = line.indexOf("{");
    const space = line.lastIndexOf(" ");
    const name = brace >= 0 && brace < space ? line.slice(0, brace) : line.slice(0, space);
    const labels: Record<string, string> = {};
    if (brace >= 0 && brace < space)
      for (const m of line.slice(brace + 1, line.lastIndexOf("}")).matchAll(LABEL)) labels[m[1]!] = unescape(m[2]!);
    let gauge = gauges.get(name);
    if (!gauge) {
      gauge = new Gauge({ name, help: name, labelNames: Object.keys(labels), registers: [registry] });
      gauges.set(name, gauge);
    }
    gauge.set(labels, Number(line.slice(space + 1)));
    samples++;
  }
  return { registry, samples };
}

/**
 * A bare node:http server answering every request with the registry's exposition, compressed the way
 * the console compresses its own when the request accepts gzip (so both do the same work on the wire).
 */
async function serveRegistry(registry: Registry): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    void registry
      .metrics()
      .then((text) => encodeScrape(text, req.headers["accept-encoding"]))
      .then(({ body, headers }) => res.writeHead(200, { "content-type": registry.contentType, ...headers }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/metrics`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Every frontend answered at least once, so the scrape carries every member series. */
async function waitForFullScrape(rig: TConsoleRig, get: () => Promise<TTimed>, members: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { text } = await get();
    const up = text.split("\n").filter((l) => l.startsWith("clusterdeck_frontend_up{") && l.endsWith(" 1")).length;
    const weights = text.split("\n").filter((l) => l.startsWith("clusterdeck_member_weight{")).length;
    if (up === rig.frontends.length && weights === rig.frontends.length * members) return;
    if (Date.now() > deadline)
      throw new Error(`after 60 s the scrape has ${up} frontends up and ${weights} member weights`);
    await sleep(1_000);
  }
}

export async function benchMetricsScrape(opts: {
  members: number;
  progress: (s: string) => void;
}): Promise<{ rows: TBenchRow[]; facts: string[] }> {
  const { members, progress } = opts;
  progress(`metrics: starting the console with 4 synthetic balancer-manager frontends of ${members} members`);
  const listenerPort = await freePort();
  const rig = await startConsoleRig({
    kinds: ["apache-balancer", "apache-balancer", "apache-balancer", "apache-balancer"],
    members,
    env: { CLUSTERDECK_METRICS_ADDR: `127.0.0.1:${listenerPort}` },
    log: (l) => {
      if (/error|warn/i.test(l)) progress(`console: ${l.trim().slice(0, 300)}`);
    },
  });
  try {
    const token = { authorization: `Bearer ${rig.token("viewer")}` };
    const route = (encoding: string) => () => timedGet(`${rig.url}/metrics`, { ...token, "accept-encoding": encoding });
    const listener = (encoding: string) => () =>
      timedGet(`http://127.0.0.1:${listenerPort}/metrics`, { "accept-encoding": encoding });
    await waitForFullScrape(rig, route("gzip"), members);
    // Polls settle (rates need two) and the route is compiled and warm before anything is timed.
    await sleep(10_000);
    for (let i = 0; i < 3; i++) await Promise.all([route("gzip")(), listener("gzip")()]);
    const { registry, samples } = registryOf((await route("identity")()).text);
    const raw = await serveRegistry(registry);
    try {
      const rawGet = (encoding: string) => () => timedGet(raw.url, { "accept-encoding": encoding });
      for (let i = 0; i < 3; i++) await rawGet("gzip")();
      progress(
        `metrics: ${SCRAPES} rounds of the console's two ways in and prom-client's registry of the same ${fmtN(samples)} series, ${GAP_MS} ms apart`,
      );
      const m = await interleaved({
        listenerGzip: listener("gzip"),
        routeGzip: route("gzip"),
        routePlain: route("identity"),
        rawGzip: rawGet("gzip"),
        rawPlain: rawGet("identity"),
      });
      const { listenerGzip, routeGzip, routePlain, rawGzip, rawPlain } = m;
      if (listenerGzip.last.encoding !== "gzip" || routeGzip.last.encoding !== "gzip" || routePlain.last.encoding)
        throw new Error("the console did not answer gzip to gzip and plain text to identity");
      const families = routePlain.last.text.split("\n").filter((l) => l.startsWith("# TYPE ")).length;
      const gzBytes = async (text: string) => (await encodeScrape(text, "gzip")).body.length;
      const rawWhat = `prom-client ${PROM_CLIENT_VERSION} Registry.metrics() of the same ${fmtN(samples)} series behind a bare node:http server`;
      const row = (what: string, o: TSeries, r: TSeries, rawNote: string): TBenchRow => ({
        what,
        ours: `${o.median.toFixed(0)} ms`,
        raw: `${r.median.toFixed(0)} ms (${rawNote})`,
        ratio: (o.median / r.median).toFixed(2),
        target: `≤ ${TARGET_MS} ms per scrape: ${o.median <= TARGET_MS ? "met" : "NOT met"}`,
        note: `median of ${SCRAPES} GETs, interleaved with the other rows' and the baseline's ${GAP_MS / 1000} s apart, while the console polls; p90 ${o.p90.toFixed(0)} ms, max ${o.max.toFixed(0)} ms (baseline p90 ${r.p90.toFixed(0)} ms)`,
      });
      const rows: TBenchRow[] = [
        row(
          `GET /metrics on the metrics listener (CLUSTERDECK_METRICS_ADDR) with Accept-Encoding: gzip as Prometheus sends it, 4 frontends × ${fmtN(members)} members: until the whole answer is read`,
          listenerGzip,
          rawGzip,
          `${rawWhat}, gzip level 1 as the listener compresses`,
        ),
        row(
          "GET /metrics on the console's port with a viewer token and Accept-Encoding: gzip (Next.js compresses the answer itself)",
          routeGzip,
          rawGzip,
          `${rawWhat}, gzip level 1`,
        ),
        row(
          "GET /metrics on the console's port with a viewer token, uncompressed (Accept-Encoding: identity)",
          routePlain,
          rawPlain,
          rawWhat,
        ),
        {
          what: "GET /metrics: size of one answer",
          ours: `${mib(routePlain.last.bytes)} (${mib(await gzBytes(routePlain.last.text))} gzipped), ${fmtN(samples)} series in ${families} families`,
          raw: `${mib(rawPlain.last.bytes)} (${mib(await gzBytes(rawPlain.last.text))} gzipped; prom-client's text of the same series, one HELP line per name)`,
          ratio: (routePlain.last.bytes / rawPlain.last.bytes).toFixed(2),
          target: "",
          note: "gzip at level 1, as the metrics listener sends it",
        },
      ];
      const facts = [
        `- /metrics: ${rig.frontends.length} synthetic balancer-manager frontends × ${fmtN(members)} members polled every 2 s by \`next start\`; scraped from the bench process over loopback`,
      ];
      return { rows, facts };
    } finally {
      await raw.close();
    }
  } finally {
    await rig.stop();
  }
}

/** The metrics-scrape section of BENCHMARKS.md, in the style of the other sections. */
export function metricsScrapeMarkdown(rows: TBenchRow[], facts: string[]): string {
  const table = benchTable("ours (console process)", rows);
  return `# Benchmarks: /metrics of a large cluster (1,000 members behind 4 frontends)

Generated by \`npm run bench -- --section metrics-scrape\` (scripts/bench/metrics-scrape.ts). Do not edit by hand.

${facts.join("\n")}

${table}

"Ours" is the console started as for production (\`next start\`, the large-cluster rig, with
\`CLUSTERDECK_METRICS_ADDR\` set) while it polls the four synthetic frontends every 2 s, timed in the bench
process from the request until the last byte of the answer is read (and decompressed): the metrics
listener with \`Accept-Encoding: gzip\` as Prometheus sends it (the console compresses at gzip level 1,
server/metrics/scrape-encoding.ts), then \`/metrics\` on the console's own port with a viewer token, where
Next.js compresses the answer itself (it drops a route's own Content-Encoding), and uncompressed.
The raw baseline is prom-client's own \`Registry\` holding the same series (every sample of one of our
scrapes, as a gauge with the same name, labels and value), answered by a bare \`node:http\` server over
the same loopback with the same gzip level 1 when asked. It is fair because both serve the same series
over the same wire, with the library Prometheus' Node clients use serializing them; the baseline reads
no live state, checks no token and computes nothing, so the ratio is what those add (or what our writer
saves, see server/metrics/exposition.ts). The bench process also serves the four synthetic frontends,
so both sides share the machine with the polling, as a real scrape would.

\`\`\`
npx next build
npm run bench -- --section metrics-scrape     # about 3 minutes
\`\`\`
`;
}
