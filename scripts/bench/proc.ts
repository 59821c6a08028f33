import fs from "node:fs";
import path from "node:path";
import { labDir } from "@/test-support/lab/lab-env";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every Linux the bench runs on). */
const TICKS = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at state, field 3; utime/stime are 14/15.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

function statusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

export const rssMb = (pid: number) => statusKb(pid, "VmRSS") / 1024;

/**
 * Peak RSS of a stretch of work: the kernel's high-water mark (VmHWM, reset through clear_refs "5" at
 * the start) and a 20 ms sampler as a cross-check where clear_refs is refused.
 */
export async function peakRss<T>(pid: number, fn: () => Promise<T>): Promise<{ value: T; peakMb: number; ms: number }> {
  let hwmReset = true;
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    hwmReset = false;
  }
  let sampled = rssMb(pid);
  const timer = setInterval(() => (sampled = Math.max(sampled, rssMb(pid))), 20);
  const t0 = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - t0;
    sampled = Math.max(sampled, rssMb(pid));
    return { value, ms, peakMb: hwmReset ? Math.max(sampled, statusKb(pid, "VmHWM") / 1024) : sampled };
  } finally {
    clearInterval(timer);
  }
}

/** Share of one core a process used over `ms` of wall time. */
export async function cpuShare(pid: number, ms: number): Promise<{ share: number; cpuS: number }> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const cpuS = cpuSeconds(pid) - c0;
  return { share: cpuS / ((performance.now() - t0) / 1000), cpuS };
}

/**
 * The pid of a lab daemon (its pid file under LAB_DIR/run), or null when the lab does not say: the bench
 * reads memcached's own CPU beside the console's, since on a small machine the servers' crawl competes
 * with the console for the same cores.
 */
export function labDaemonPid(name: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(labDir(), "run", `${name}.pid`), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && fs.existsSync(`/proc/${pid}`) ? pid : null;
  } catch {
    return null;
  }
}

/** CPU seconds the given processes used during `fn` (null pids are skipped). */
export async function cpuOf<T>(pids: Array<number | null>, fn: () => Promise<T>): Promise<{ value: T; cpuS: number }> {
  const live = pids.filter((p): p is number => p !== null);
  const before = live.map(cpuSeconds);
  const value = await fn();
  return { value, cpuS: live.reduce((a, p, i) => a + cpuSeconds(p) - before[i]!, 0) };
}
