import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export type TFloodMode = "http" | "http-redirect" | "memcached-value" | "memcached-line" | "redis-bulk";

/**
 * A hostile peer in its own process (test-support/flood-server-child.mjs) that answers every request
 * with `bytes` (200 MB by default) of data: for the size limits on everything read from the network.
 */
export async function startFloodServer(
  mode: TFloodMode,
  bytes = 200 * 1024 * 1024,
): Promise<{ port: number; close: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [path.join(import.meta.dirname, "flood-server-child.mjs"), mode, String(bytes)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`flood server exited ${code}`)));
    child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

const kib = (name: string): number => {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync("/proc/self/status", "utf8"));
  if (!m) throw new Error(`no ${name} in /proc/self/status`);
  return Number(m[1]) * 1024;
};

/**
 * How far this process's resident memory peaked above where it stood when `fn` started, in bytes,
 * from /proc: the kernel's high-water mark (VmHWM) is reset first (clear_refs 5), so the figure is the
 * true peak during `fn`, not a sample.
 */
export async function peakRssGrowth(fn: () => Promise<unknown>): Promise<number> {
  fs.writeFileSync("/proc/self/clear_refs", "5");
  const before = kib("VmRSS");
  await fn();
  return kib("VmHWM") - before;
}
