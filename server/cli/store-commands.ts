import { type Command, InvalidArgumentError } from "commander";
import type { TClient, TOperationAnswer } from "@/server/cli/api-client";
import { EXIT, type TExitCode } from "@/server/cli/exit-codes";

/**
 * `clusterdeck store replace-node` and `clusterdeck session expire`: start the journaled operation over
 * REST, follow it to the end (progress on stderr), print its outcome. A dry run unless --apply.
 *
 * Exit codes: 0 finished and complete (a dry run: finished); 1 finished but not complete (keys still
 * missing or different on the new server; some sessions not expired while others were); 5 failed.
 */
export interface TOpsIo {
  out: (text: string) => void;
  err: (text: string) => void;
}
interface TOpsOpts {
  cluster?: string;
  apply?: boolean;
  json?: boolean;
}
export type TOpsContext = (cmd: Command, opts: TOpsOpts) => Promise<{ client: TClient; cluster: string }>;

const POLL_MS = 500;

function parseAddress(v: string): { host: string; port: number } {
  const m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(v.trim());
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535)
    throw new InvalidArgumentError("give the new server as host:port, e.g. 10.0.0.7:11211");
  return { host: m[1]!, port };
}

async function follow(
  io: TOpsIo,
  client: TClient,
  started: TOperationAnswer,
  human: (t: string) => void,
): Promise<TOperationAnswer> {
  let op = started;
  let last = "";
  while (op.state !== "done" && op.state !== "failed") {
    await new Promise((r) => setTimeout(r, POLL_MS));
    op = await client.getOperation(op.id);
    const line =
      op.total > 0
        ? `#${op.id} ${op.state}: ${op.processed}/${op.total} (${Math.floor((100 * op.processed) / op.total)}%)`
        : `#${op.id} ${op.state}: ${op.message ?? ""}`;
    if (line !== last) io.err(line);
    last = line;
  }
  human(`${op.dryRun ? "dry run " : ""}#${op.id} ${op.state}: ${op.message ?? ""}`);
  return op;
}

function common(cmd: Command): Command {
  return cmd
    .option("-c, --cluster <name>", "cluster name (may be left out when the console has exactly one)")
    .option("--apply", "do it (without: a dry run that changes nothing)")
    .option("--json", "print the finished operation as JSON on stdout (human messages go to stderr)");
}

export function addStoreCommands(
  program: Command,
  io: TOpsIo,
  context: TOpsContext,
  done: (code: TExitCode) => void,
  setJson: (json: boolean) => void,
): void {
  const store = program.command("store").description("session store operations");
  common(
    store
      .command("replace-node")
      .description(
        "copy every session key of a store node to a new, empty server (TTLs kept, the old server untouched), verify, print the config change",
      )
      .argument("<store>", "store name in the inventory")
      .argument("<node>", "node id, e.g. n1 (it stays: session ids contain it)")
      .argument("<host:port>", "the new server", parseAddress),
  ).action(
    async (storeName: string, node: string, to: { host: string; port: number }, opts: TOpsOpts, cmd: Command) => {
      setJson(Boolean(opts.json));
      const human = opts.json ? io.err : io.out;
      const { client, cluster } = await context(cmd, opts);
      const path = `/clusters/${encodeURIComponent(cluster)}/stores/${encodeURIComponent(storeName)}/nodes/${encodeURIComponent(node)}/replace`;
      const op = await follow(io, client, await client.startOperation(path, { ...to, dryRun: !opts.apply }), human);
      const report = op.report ? (JSON.parse(op.report) as { complete?: boolean; configChange?: string[] }) : {};
      if (!op.dryRun && op.state === "done")
        human(
          ["Configuration change to make:", ...(report.configChange ?? []).map((l, i) => `  ${i + 1}. ${l}`)].join(
            "\n",
          ),
        );
      if (opts.json) io.out(JSON.stringify({ ...op, report }, null, 2));
      done(op.state === "failed" ? EXIT.FAILED : op.dryRun || report.complete ? EXIT.OK : EXIT.PARTIAL);
    },
  );

  const session = program.command("session").description("session operations");
  common(
    session
      .command("expire")
      .description("remove every key and copy of the sessions in every store of the cluster")
      .argument("<ids...>", "session ids"),
  ).action(async (ids: string[], opts: TOpsOpts, cmd: Command) => {
    setJson(Boolean(opts.json));
    const human = opts.json ? io.err : io.out;
    const { client, cluster } = await context(cmd, opts);
    const op = await follow(
      io,
      client,
      await client.startOperation(`/clusters/${encodeURIComponent(cluster)}/sessions/expire`, {
        ids,
        dryRun: !opts.apply,
      }),
      human,
    );
    const results = op.report
      ? ((
          JSON.parse(op.report) as {
            results?: Array<{
              sessionId: string;
              result: string;
              keys: unknown[];
              errors: Array<{ store: string; reason: string }>;
              notes?: Array<{ store: string; note: string }>;
            }>;
          }
        ).results ?? [])
      : [];
    human(
      results
        .map(
          (r) =>
            `  ${r.sessionId}: ${r.result} (${r.keys.length} keys)${r.errors.map((e) => ` ${e.store}: ${e.reason}`).join("")}${(r.notes ?? []).map((n) => `\n    note (${n.store}): ${n.note}`).join("")}`,
        )
        .join("\n"),
    );
    if (opts.json) io.out(JSON.stringify({ ...op, report: { results } }, null, 2));
    done(op.failedCount === 0 ? EXIT.OK : op.changed > 0 ? EXIT.PARTIAL : EXIT.FAILED);
  });
}
