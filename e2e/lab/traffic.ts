/**
 * Lab traffic generator: simulated users, each with its own JSESSIONID cookie jar, calling the demo
 * app's /app/counter through one of the targets, and checking that its session survives (same id)
 * and that the counter only ever goes up by one.
 *
 *   npx tsx e2e/lab/traffic.ts --users 10 --rate 20 --duration 30 --target http://127.0.0.1:18080/app/counter [--target ...] [--json]
 *
 * As a module: runTraffic(opts) resolves with the report when the run ends (always by durationMs);
 * startTraffic(opts) runs it in the background and returns { stop, snapshot, done }.
 */
import { setMaxListeners } from "node:events";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";

export type TTrafficOptions = {
  users: number;
  /** Total requests per second, spread evenly over the users. */
  ratePerSec: number;
  durationMs: number;
  /** Users are assigned to targets round-robin (user 0 -> targets[0], user 1 -> targets[1], ...). */
  targets: string[];
  signal?: AbortSignal;
  onProgress?: (report: TTrafficReport) => void;
  progressIntervalMs?: number;
  requestTimeoutMs?: number;
};

/** What the demo app's /app/counter answers. */
export type TCounterReply = { node: string; sessionId: string; counter: number; version?: string; isNew?: boolean };

export type TUserReport = {
  user: number;
  target: string;
  /** Completed attempts (successes + failures); requests cut short by the end of the run are not counted. */
  requests: number;
  /** Non-2xx answers, network errors, timeouts, bodies that are not a counter reply. */
  failures: number;
  failureMessages: string[];
  /** Distinct session ids in the order first seen. More than one means a session was lost. */
  sessionIds: string[];
  /** The node of each reply, collapsed to changes: ["tomcat2", "tomcat1"] = one failover. */
  nodesSeen: string[];
  /** False after any counter jump within a session or any session loss. */
  counterMonotonic: boolean;
  /** Replies whose counter was not previous+1 within the same session (or not 1 on the first one). */
  counterViolations: number;
  violationMessages: string[];
  /** Replies that came with a session id other than the current one and a counter starting over (the old session is gone). */
  sessionLost: number;
  /**
   * Replies with a new session id whose counter continued (previous + 1): the same session under a new
   * id, as MSM issues on a memcached failover (-n1 → -n2, by Set-Cookie). Not a loss.
   */
  sessionIdChanges: number;
  /**
   * Connections the frontend closed before answering a single byte, sent again once (as a browser does
   * for a reset connection). Not failures: had the app served the first one, the counter check of the
   * second would show the jump. Seen during nginx reloads; reported so a rise is visible.
   */
  resetRetries: number;
  lastCounter: number | null;
};

export type TTrafficTotals = {
  users: number;
  requests: number;
  failures: number;
  sessionLost: number;
  sessionIdChanges: number;
  resetRetries: number;
  counterViolations: number;
  nodeChanges: number;
  achievedRatePerSec: number;
};

export type TTrafficReport = {
  startedAt: string;
  elapsedMs: number;
  running: boolean;
  options: { users: number; ratePerSec: number; durationMs: number; targets: string[] };
  users: TUserReport[];
  totals: TTrafficTotals;
  /** No failures, no lost session, no counter violation. */
  ok: boolean;
};

export type TTrafficHandle = {
  stop(): Promise<TTrafficReport>;
  snapshot(): TTrafficReport;
  done: Promise<TTrafficReport>;
};

const MAX_MESSAGES = 5;

export function createUserReport(user: number, target: string): TUserReport {
  return {
    user,
    target,
    requests: 0,
    failures: 0,
    failureMessages: [],
    sessionIds: [],
    nodesSeen: [],
    counterMonotonic: true,
    counterViolations: 0,
    violationMessages: [],
    sessionLost: 0,
    sessionIdChanges: 0,
    resetRetries: 0,
    lastCounter: null,
  };
}

function pushCapped(list: string[], message: string): void {
  if (list.length < MAX_MESSAGES) list.push(message);
}

export function recordFailure(state: TUserReport, message: string): void {
  state.requests += 1;
  state.failures += 1;
  pushCapped(state.failureMessages, message);
}

/** The counting rules, kept pure so they can be tested without a server. */
export function recordReply(state: TUserReport, reply: TCounterReply): void {
  state.requests += 1;
  const current = state.sessionIds.at(-1);
  if (current === undefined) {
    state.sessionIds.push(reply.sessionId);
    if (reply.counter !== 1) violate(state, `first reply has counter ${reply.counter}, expected 1`);
  } else if (reply.sessionId !== current && reply.counter === (state.lastCounter ?? 0) + 1) {
    state.sessionIdChanges += 1;
    if (!state.sessionIds.includes(reply.sessionId)) state.sessionIds.push(reply.sessionId);
  } else if (reply.sessionId !== current) {
    state.sessionLost += 1;
    state.counterMonotonic = false;
    if (!state.sessionIds.includes(reply.sessionId)) state.sessionIds.push(reply.sessionId);
    pushCapped(
      state.violationMessages,
      `session lost on ${reply.node}: ${current} -> ${reply.sessionId} (counter ${reply.counter})`,
    );
  } else if (reply.counter !== (state.lastCounter ?? 0) + 1) {
    violate(state, `counter ${state.lastCounter} -> ${reply.counter} on ${reply.node} in session ${current}`);
  }
  if (state.nodesSeen.at(-1) !== reply.node) state.nodesSeen.push(reply.node);
  state.lastCounter = reply.counter;
}

function violate(state: TUserReport, message: string): void {
  state.counterViolations += 1;
  state.counterMonotonic = false;
  pushCapped(state.violationMessages, message);
}

/** Returns the reply, or a message saying why the body is not one. */
export function parseCounterReply(body: string): TCounterReply | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return `bad JSON: ${body.slice(0, 80)}`;
  }
  const v = value as Partial<TCounterReply> | null;
  if (!v || typeof v.node !== "string" || typeof v.sessionId !== "string" || typeof v.counter !== "number") {
    return `not a counter reply: ${body.slice(0, 80)}`;
  }
  return { node: v.node, sessionId: v.sessionId, counter: v.counter, version: v.version, isNew: v.isNew };
}

export function summarize(
  users: TUserReport[],
  options: TTrafficReport["options"],
  startedAt: number,
  running: boolean,
): TTrafficReport {
  const elapsedMs = Date.now() - startedAt;
  const sum = (pick: (u: TUserReport) => number) => users.reduce((acc, u) => acc + pick(u), 0);
  const totals: TTrafficTotals = {
    users: users.length,
    requests: sum((u) => u.requests),
    failures: sum((u) => u.failures),
    sessionLost: sum((u) => u.sessionLost),
    sessionIdChanges: sum((u) => u.sessionIdChanges),
    resetRetries: sum((u) => u.resetRetries),
    counterViolations: sum((u) => u.counterViolations),
    nodeChanges: sum((u) => Math.max(0, u.nodesSeen.length - 1)),
    achievedRatePerSec: elapsedMs > 0 ? Math.round((sum((u) => u.requests) * 10_000) / elapsedMs) / 10 : 0,
  };
  return {
    startedAt: new Date(startedAt).toISOString(),
    elapsedMs,
    running,
    options,
    users: users.map((u) => structuredClone(u)),
    totals,
    ok: totals.failures === 0 && totals.sessionLost === 0 && totals.counterViolations === 0,
  };
}

function validate(opts: TTrafficOptions): void {
  if (!Number.isInteger(opts.users) || opts.users < 1)
    throw new Error(`users must be an integer >= 1, got ${opts.users}`);
  if (!(opts.ratePerSec > 0)) throw new Error(`ratePerSec must be > 0, got ${opts.ratePerSec}`);
  if (!(opts.durationMs >= 0)) throw new Error(`durationMs must be >= 0, got ${opts.durationMs}`);
  if (opts.targets.length === 0) throw new Error("at least one target is needed");
  for (const t of opts.targets) new URL(t);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (
      err as Error & {
        cause?: {
          code?: string;
          message?: string;
          socket?: { localPort?: number; bytesWritten?: number; bytesRead?: number };
        };
      }
    ).cause;
    if (err.name === "TimeoutError") return "timeout";
    const what = cause?.code ?? cause?.message ?? err.message;
    // undici names the socket of a connection that closed: its port finds it in the frontend's own log, and
    // the byte counts say whether the request was written and whether any answer came back.
    const s = cause?.socket;
    return s?.localPort
      ? `${what} [port ${s.localPort}, ${s.bytesWritten ?? "?"} B sent, ${s.bytesRead ?? "?"} B read]`
      : what;
  }
  return String(err);
}

/** The connection closed before a single byte of an answer arrived (undici's "other side closed"). */
export function isUnansweredReset(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string; socket?: { bytesRead?: number } } } | null)?.cause;
  return cause?.code === "UND_ERR_SOCKET" && cause.socket?.bytesRead === 0;
}

export function startTraffic(opts: TTrafficOptions): TTrafficHandle {
  validate(opts);
  const startedAt = Date.now();
  const options = {
    users: opts.users,
    ratePerSec: opts.ratePerSec,
    durationMs: opts.durationMs,
    targets: [...opts.targets],
  };
  const requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  const intervalMs = (opts.users * 1000) / opts.ratePerSec;
  const stopper = new AbortController();
  // Every user waits on this signal (its sleep and its request): more than Node's default of 10 listeners.
  setMaxListeners(0, stopper.signal);
  const stop = () => stopper.abort();
  const deadline = setTimeout(stop, opts.durationMs);
  opts.signal?.addEventListener("abort", stop, { once: true });
  if (opts.signal?.aborted) stop();
  const users = Array.from({ length: opts.users }, (_, i) =>
    createUserReport(i, opts.targets[i % opts.targets.length]!),
  );
  const snapshot = () => summarize(users, options, startedAt, !stopper.signal.aborted);
  const progress = opts.onProgress
    ? setInterval(() => opts.onProgress?.(snapshot()), opts.progressIntervalMs ?? 1000)
    : undefined;

  async function requestOnce(state: TUserReport, jar: { cookie?: string }, retried = false): Promise<void> {
    const signal = AbortSignal.any([stopper.signal, AbortSignal.timeout(requestTimeoutMs)]);
    const sentAt = Date.now();
    try {
      const res = await fetch(state.target, {
        // One connection per request. A frontend reload (nginx -s reload, HAProxy -sf) closes idle keep-alive
        // connections, and a request written onto one as it closes fails with "other side closed" before
        // the server read it. Browsers silently retry that case; a pooled fetch does not, so it would count
        // a client-side race as a failed request of the cluster.
        headers: { connection: "close", ...(jar.cookie ? { cookie: `JSESSIONID=${jar.cookie}` } : {}) },
        redirect: "manual",
        signal,
      });
      for (const c of res.headers.getSetCookie()) {
        const m = /^JSESSIONID=([^;]*)/.exec(c);
        if (m) jar.cookie = m[1];
      }
      const body = await res.text();
      if (stopper.signal.aborted) return;
      if (res.status < 200 || res.status > 299) return recordFailure(state, `HTTP ${res.status}: ${body.slice(0, 80)}`);
      const reply = parseCounterReply(body);
      if (typeof reply === "string") return recordFailure(state, reply);
      recordReply(state, reply);
    } catch (err) {
      if (stopper.signal.aborted) return; // cut short by the end of the run: neither success nor failure
      if (!retried && isUnansweredReset(err)) {
        state.resetRetries += 1;
        return requestOnce(state, jar, true);
      }
      // When and how long after sending: a failure is matched against the frontend's own log and reloads.
      recordFailure(
        state,
        `${errorMessage(err)} (${new Date().toISOString()}, ${Date.now() - sentAt} ms after sending)`,
      );
    }
  }

  async function runUser(state: TUserReport): Promise<void> {
    const jar: { cookie?: string } = {};
    let next = startedAt + (state.user * intervalMs) / opts.users;
    while (!stopper.signal.aborted) {
      await sleep(next - Date.now(), stopper.signal);
      if (stopper.signal.aborted) break;
      await requestOnce(state, jar);
      next = Math.max(next + intervalMs, Date.now());
    }
  }

  const done = Promise.all(users.map(runUser)).then(() => {
    clearTimeout(deadline);
    if (progress) clearInterval(progress);
    opts.signal?.removeEventListener("abort", stop);
    const report = snapshot();
    opts.onProgress?.(report);
    return report;
  });
  return {
    stop: () => {
      stop();
      return done;
    },
    snapshot,
    done,
  };
}

/**
 * Cookie-less requests: each starts a new session, so the balancer picks a member by its lb method. That is
 * the only traffic that makes httpd retry a member in Err after `retry` seconds, or mod_jk probe one in
 * ERR/REC: sticky users stay on the member that serves them now. Errors are ignored (they are the point).
 */
export async function sendNewSessionRequests(counterUrl: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await fetch(counterUrl, { headers: { connection: "close" }, signal: AbortSignal.timeout(10_000) })
      .then((r) => r.text())
      .catch(() => undefined);
  }
}

export function runTraffic(opts: TTrafficOptions): Promise<TTrafficReport> {
  return startTraffic(opts).done;
}

export function formatReport(report: TTrafficReport): string {
  const lines = report.users.flatMap((u) => [
    [
      `user ${String(u.user).padStart(2)} ${u.target}`,
      `requests=${u.requests} failures=${u.failures} lost=${u.sessionLost}`,
      `monotonic=${u.counterMonotonic ? "yes" : "NO"} last=${u.lastCounter ?? "-"}`,
      `nodes=${u.nodesSeen.join(">") || "-"}`,
    ].join("  "),
    ...u.failureMessages.map((m) => `    failure: ${m}`),
    ...u.violationMessages.map((m) => `    violation: ${m}`),
  ]);
  const t = report.totals;
  lines.push(
    `TOTAL ${t.users} users, ${t.requests} requests in ${(report.elapsedMs / 1000).toFixed(1)} s (${t.achievedRatePerSec}/s), ` +
      `failures=${t.failures} sessionLost=${t.sessionLost} counterViolations=${t.counterViolations} nodeChanges=${t.nodeChanges} => ${report.ok ? "OK" : "FAILED"}`,
  );
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: "string", default: "10" },
      rate: { type: "string", default: "20" },
      duration: { type: "string", default: "30" },
      target: { type: "string", multiple: true },
      timeout: { type: "string", default: "10000" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(
      "usage: tsx e2e/lab/traffic.ts [--users N] [--rate PER_SEC] [--duration SECONDS] [--target URL]... [--timeout MS] [--json]",
    );
    return 0;
  }
  const host = "127.0.0.1";
  const targets = values.target ?? [
    `http://${host}:${process.env.LAB_FRONTEND_A_PORT ?? "18080"}/app/counter`,
    `http://${host}:${process.env.LAB_FRONTEND_B_PORT ?? "18090"}/app/counter`,
  ];
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  const report = await runTraffic({
    users: Number(values.users),
    ratePerSec: Number(values.rate),
    durationMs: Number(values.duration) * 1000,
    requestTimeoutMs: Number(values.timeout),
    targets,
    signal: controller.signal,
    onProgress: values.json
      ? undefined
      : (r) => {
          if (r.running) {
            const t = r.totals;
            process.stderr.write(
              `t=${Math.round(r.elapsedMs / 1000)}s requests=${t.requests} failures=${t.failures} lost=${t.sessionLost} violations=${t.counterViolations}\n`,
            );
          }
        },
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
