import { execFile } from "node:child_process";

export interface TCommandResult {
  ok: boolean;
  /** Exit status; null when killed (timeout) or not started. */
  code: number | null;
  /** stderr then stdout, trimmed: nginx -t writes its verdict to stderr. */
  output: string;
}

const MAX_OUTPUT = 64 * 1024;

/** Runs argv without a shell (see options.ts for quoting), bounded in time; never throws. */
export function runCommand(argv: readonly string[], timeoutMs: number): Promise<TCommandResult> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    execFile(
      file!,
      args,
      { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: MAX_OUTPUT, windowsHide: true },
      (err, stdout, stderr) => {
        const output = `${stderr}${stdout}`.trim();
        if (!err) return resolve({ ok: true, code: 0, output });
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        const why = e.killed
          ? `timed out after ${timeoutMs} ms`
          : typeof e.code === "string"
            ? `${e.code} ${e.message}`
            : null;
        resolve({
          ok: false,
          code: typeof e.code === "number" ? e.code : null,
          output: [output, why].filter(Boolean).join("\n"),
        });
      },
    );
  });
}

export function describeCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}
