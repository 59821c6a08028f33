import fs from "node:fs/promises";
import path from "node:path";
import type { TFrontendTarget } from "@/server/adapters/frontends/adapter";
import type { TBalancerSnapshot } from "@/server/adapters/frontends/types";
import type { TAdminState } from "@/server/domain/member-state";
import { AppError } from "@/server/errors";
import { describeCommand, runCommand } from "./commands";
import { parseNginxOptions, type TNginxOptions } from "./options";
import { readIncludeFile } from "./status";
import { editUpstreamFile, type TServerEdit } from "./upstream-file";
import { processSingleton } from "@/server/process-singleton";
import { withSharedLock } from "@/server/cluster-lease/shared-lock";

/**
 * Changes to an nginx frontend are file edits: rewrite the include file, validate with the test
 * command (nginx -t), put the previous file back if it fails, else reload gracefully. The previous
 * version is always kept beside it as `<file>.previous`.
 */

/** Console state → server flags. No drain: nginx OSS has no "sticky requests only" state (see index.ts). */
export const NGINX_EDIT_FOR_STATE: Readonly<Record<TAdminState, TServerEdit | null>> = {
  active: { down: false, backup: false },
  draining: null,
  // "down" is nginx's only no-traffic flag, so disabled and stopped are the same line (like mod_jk's STP).
  disabled: { down: true, backup: false },
  stopped: { down: true, backup: false },
  standby: { down: false, backup: true },
};

export const NGINX_OBSERVED_STATE: Readonly<Record<TAdminState, TAdminState | null>> = {
  active: "active",
  draining: null,
  disabled: "stopped",
  stopped: "stopped",
  standby: "standby",
};

/** nginx takes any positive integer weight; 100 keeps the consistent-hash ring (160 points per weight) small. */
export const NGINX_WEIGHT_RANGE = { min: 1, max: 100 } as const;

/**
 * Edits of one file are serialized in this process (two members changed at once must not lose one edit)
 * and, with several console instances, across them (a PostgreSQL advisory lock named after the file).
 */
const fileLocks = processSingleton("nginx-file-locks", () => new Map<string, Promise<unknown>>());

function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const prev = fileLocks.get(file) ?? Promise.resolve();
  const locked = () => withSharedLock(`nginx-include:${file}`, fn);
  const next = prev.then(locked, locked);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  fileLocks.set(file, settled);
  void settled.then(() => {
    if (fileLocks.get(file) === settled) fileLocks.delete(file);
  });
  return next;
}

/** Temp file in the same folder + rename: nginx (or a reader) sees the old file or the new one, never half. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.clusterdeck-${process.pid}-${Date.now()}.tmp`);
  const mode = await fs.stat(file).then(
    (s) => s.mode & 0o7777,
    () => 0o644,
  );
  try {
    await fs.writeFile(tmp, text, { mode });
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw new AppError("INTERNAL", `Cannot write ${file}: ${(err as Error).message}`, { file });
  }
}

export function previousFile(includeFile: string): string {
  return `${includeFile}.previous`;
}

async function applyEdit(options: TNginxOptions, upstream: string, address: string, edit: TServerEdit): Promise<void> {
  const file = options.includeFile;
  const before = await readIncludeFile(file);
  const after = editUpstreamFile(before, upstream, address, edit);
  if (after === before) return; // already so: no reload needed
  await writeFileAtomic(previousFile(file), before);
  await writeFileAtomic(file, after);

  const test = await runCommand(options.testCommand, options.commandTimeoutMs);
  if (!test.ok) {
    await writeFileAtomic(file, before);
    throw new AppError(
      "UNEXPECTED_RESPONSE",
      `nginx refused the change, the previous file is back in place and nothing was reloaded: ${test.output || `${describeCommand(options.testCommand)} exited with ${test.code}`}`,
      { file, command: describeCommand(options.testCommand), code: test.code, output: test.output },
    );
  }
  const reload = await runCommand(options.reloadCommand, options.commandTimeoutMs);
  if (!reload.ok) {
    // The running nginx never got the new file: put the old one back so file and running config agree.
    await writeFileAtomic(file, before);
    throw new AppError(
      "UNEXPECTED_RESPONSE",
      `the change passed ${describeCommand(options.testCommand)} but the reload failed, so the previous file is back in place: ${reload.output || `exit ${reload.code}`}`,
      { file, command: describeCommand(options.reloadCommand), code: reload.code, output: reload.output },
    );
  }
}

function change(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  edit: TServerEdit,
): Promise<void> {
  const options = parseNginxOptions(target.options);
  return withFileLock(options.includeFile, () => applyEdit(options, balancer.name, memberKey, edit));
}

export async function setNginxAdminState(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  state: TAdminState,
): Promise<void> {
  const edit = NGINX_EDIT_FOR_STATE[state];
  if (edit === null) {
    throw new AppError(
      "INVALID_INPUT",
      `nginx (open source) has no ${state} state: a server takes all its requests or none (down)`,
      { state },
    );
  }
  await change(target, balancer, memberKey, edit);
}

export async function setNginxWeight(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  weight: number,
): Promise<void> {
  if (!Number.isInteger(weight) || weight < NGINX_WEIGHT_RANGE.min || weight > NGINX_WEIGHT_RANGE.max) {
    throw new AppError(
      "INVALID_INPUT",
      `weight ${weight} is not valid for nginx here: a whole number from ${NGINX_WEIGHT_RANGE.min} to ${NGINX_WEIGHT_RANGE.max}`,
      { weight },
    );
  }
  await change(target, balancer, memberKey, { weight });
}
