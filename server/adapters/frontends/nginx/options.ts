import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { getEnv } from "@/server/env";

/**
 * The console writes the include file, so it may only be one under CLUSTERDECK_NGINX_INCLUDE_DIR:
 * otherwise an inventory entry could make it read (and show in a poll error) or overwrite any file its
 * user can reach. Checked whenever options are parsed: on save, and before every poll and edit.
 */
export function includeFileProblem(file: string, dir = getEnv().CLUSTERDECK_NGINX_INCLUDE_DIR): string | null {
  if (!dir)
    return "the console has no nginx include directory: set CLUSTERDECK_NGINX_INCLUDE_DIR to the folder of the include files";
  const root = path.resolve(dir);
  const resolved = path.resolve(file);
  if (resolved !== file) return `must be a plain absolute path (no "." or ".." parts, no trailing "/")`;
  const outside = `must lie in ${root} (CLUSTERDECK_NGINX_INCLUDE_DIR); files elsewhere are refused`;
  if (!resolved.startsWith(`${root}/`)) return outside;
  // A symbolic link inside the directory must not lead out of it (reading follows links).
  const real = realpathOrNull(resolved);
  const realRoot = realpathOrNull(root) ?? root;
  if (real !== null && !real.startsWith(`${realRoot}/`)) return `${outside} (it is a symbolic link that leads out)`;
  return null;
}

function realpathOrNull(p: string): string | null {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return null; // not there yet: the first edit creates it, inside the directory
  }
}

/**
 * Per-frontend options of the nginx kind (Frontend.options). Commands are argv arrays run WITHOUT a
 * shell (execFile), so nothing in them is expanded or split; to reach a remote host, wrap them, e.g.
 * ["ssh", "lb1", "sudo", "nginx", "-t"] (ssh itself joins its remote arguments into one shell line on
 * the far side, so keep those words free of shell metacharacters).
 */
const ZArgv = z.array(z.string().min(1)).min(1, "give the program and its arguments as a list, e.g. [nginx, -t]");

export const ZNginxOptions = z
  .object({
    /** The file ClusterDeck owns and rewrites: it holds the upstream block(s) and nothing an operator edits by hand. */
    includeFile: z
      .string()
      .min(1)
      .refine((p) => p.startsWith("/"), { message: "must be an absolute path", abort: true })
      .superRefine((p, ctx) => {
        const problem = includeFileProblem(p);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    /** Validates the whole configuration with the new file in place (nginx -t). Exit status 0 = valid. */
    testCommand: ZArgv,
    /** Graceful reload (nginx -s reload: new workers, old ones finish their requests). */
    reloadCommand: ZArgv,
    /** Optional stub_status page for server-wide connection counters. */
    stubStatusUrl: z
      .url()
      .refine((u) => /^https?:\/\//.test(u), "only http:// and https://")
      .optional(),
    /** Path ClusterDeck GETs on each server's own address for its health (nginx OSS reports none). */
    probePath: z.string().startsWith("/", "must start with /").default("/"),
    /** Bound on each command; a hung ssh must not hold the include file's lock for ever. */
    commandTimeoutMs: z.number().int().min(500).max(120_000).default(15_000),
  })
  .strict();
export type TNginxOptions = z.infer<typeof ZNginxOptions>;

export function parseNginxOptions(raw: unknown): TNginxOptions {
  const r = ZNginxOptions.safeParse(raw ?? {});
  if (!r.success) {
    const first = r.error.issues.slice(0, 3).map((i) => `options.${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new AppError("INVALID_INPUT", `Invalid nginx frontend options: ${first.join("; ")}`);
  }
  return r.data;
}
