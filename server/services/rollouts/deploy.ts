import { spawn } from "node:child_process";
import type { TDeploy } from "@/server/services/rollouts/schema";
import { readTextLimited } from "@/server/adapters/read-limited";

/** Deploy output kept on the step: the last 64 KiB (a chatty build must not fill the database). */
export const MAX_OUTPUT = 64 * 1024;

export interface TDeployTarget {
  rolloutId: number;
  cluster: string;
  member: string;
  host: string;
  route: string;
  httpPort: number | null;
  ajpPort: number | null;
}

export interface TDeployOutcome {
  ok: boolean;
  message: string;
  output: string;
}

export interface TDeployHooks {
  /** Called about once a second with the output so far, so the UI can show it while it runs. */
  onOutput: (output: string) => Promise<void>;
  /** Polled about once a second: true ends the command (abort). */
  shouldKill: () => Promise<boolean>;
}

export function deployEnv(t: TDeployTarget): Record<string, string> {
  return {
    CLUSTERDECK_ROLLOUT_ID: String(t.rolloutId),
    CLUSTERDECK_CLUSTER: t.cluster,
    CLUSTERDECK_MEMBER: t.member,
    CLUSTERDECK_HOST: t.host,
    CLUSTERDECK_ROUTE: t.route,
    CLUSTERDECK_HTTP_PORT: t.httpPort === null ? "" : String(t.httpPort),
    CLUSTERDECK_AJP_PORT: t.ajpPort === null ? "" : String(t.ajpPort),
  };
}

export function boundOutput(text: string): string {
  return text.length <= MAX_OUTPUT ? text : `[… earlier output dropped …]\n${text.slice(text.length - MAX_OUTPUT)}`;
}

/**
 * Runs the deploy command with /bin/sh -c in its own process group (so a timeout or an abort ends
 * everything it started in that group; daemons it starts with setsid, like a Tomcat, live on).
 * Exit 0 is success. Its output (stdout and stderr interleaved) is kept, bounded.
 */
export async function runDeployCommand(
  deploy: Extract<TDeploy, { kind: "command" }>,
  target: TDeployTarget,
  hooks: TDeployHooks,
): Promise<TDeployOutcome> {
  let output = "";
  const child = spawn("/bin/sh", ["-c", deploy.command], {
    env: { ...process.env, ...deployEnv(target) },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const add = (b: Buffer) => {
    output = boundOutput(output + b.toString("utf8"));
  };
  child.stdout.on("data", add);
  child.stderr.on("data", add);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
    child.on("error", (error) => resolve({ code: null, signal: null, error }));
  });
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  };
  const deadline = Date.now() + deploy.timeoutSec * 1000;
  let ended: Awaited<typeof exited> | null = null;
  let why: string | null = null;
  while (!ended) {
    ended = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
    if (ended) break;
    await hooks.onOutput(output).catch(() => undefined);
    if (Date.now() > deadline) why = `timed out after ${deploy.timeoutSec} s`;
    else if (await hooks.shouldKill().catch(() => false)) why = "ended by abort";
    if (why) {
      killGroup();
      ended = await exited;
    }
  }
  // Output still in the pipes after exit (a short wait: a daemon holding them must not block us).
  await new Promise((r) => setTimeout(r, 100));
  if (why) return { ok: false, message: `deploy command ${why}`, output };
  if (ended.error) return { ok: false, message: `deploy command could not start: ${ended.error.message}`, output };
  if (ended.code === 0) return { ok: true, message: "deploy command exited 0", output };
  return {
    ok: false,
    message: ended.signal ? `deploy command killed by ${ended.signal}` : `deploy command exited ${ended.code}`,
    output,
  };
}

/** What is kept of a webhook's answer (shown on the step); a longer answer is a failure, not truncated. */
export const MAX_WEBHOOK_REPLY_BYTES = 4 * 1024 * 1024;

/**
 * POSTs the member to the webhook; any 2xx within the timeout is success. Redirects are not followed:
 * the URL an admin set is the only place the console sends to (a 3xx is a failure naming it).
 */
export async function callDeployWebhook(
  deploy: Extract<TDeploy, { kind: "webhook" }>,
  target: TDeployTarget,
): Promise<TDeployOutcome> {
  try {
    const res = await fetch(deploy.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(target),
      redirect: "manual",
      signal: AbortSignal.timeout(deploy.timeoutSec * 1000),
    });
    const body = (await readTextLimited(res, MAX_WEBHOOK_REPLY_BYTES, "the deploy webhook")).slice(0, 4096);
    const output = `HTTP ${res.status}\n${body}`;
    if (res.status >= 300 && res.status < 400)
      return { ok: false, message: `webhook answered ${res.status} (a redirect; redirects are not followed)`, output };
    return res.ok
      ? { ok: true, message: `webhook answered ${res.status}`, output }
      : { ok: false, message: `webhook answered ${res.status}`, output };
  } catch (err) {
    const e = err as Error;
    return {
      ok: false,
      message:
        e.name === "TimeoutError"
          ? `webhook did not answer within ${deploy.timeoutSec} s`
          : `webhook failed: ${e.message}`,
      output: "",
    };
  }
}
