import { z } from "zod";
import { AppError } from "@/server/errors";

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
      .refine((p) => p.startsWith("/"), "must be an absolute path"),
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
