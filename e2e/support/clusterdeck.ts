import { execFile } from "node:child_process";
import path from "node:path";

const BIN = path.resolve(import.meta.dirname, "../../server/cli/bin.mjs");

export interface TCliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `clusterdeck` binary (a child process, as a script runs it) against the console at baseURL. */
export function clusterdeck(baseURL: string, token: string, ...args: string[]): Promise<TCliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, CLUSTERDECK_URL: baseURL, CLUSTERDECK_TOKEN: token }, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
