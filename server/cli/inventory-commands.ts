import fs from "node:fs/promises";
import type { Command } from "commander";
import type { TInventoryPlan } from "@/server/cli/api-client";
import { CliError, EXIT } from "@/server/cli/exit-codes";
import type { TCommandContext } from "@/server/cli/command-context";

/**
 * `clusterdeck inventory export|plan|apply`: the inventory as a file in git, kubectl-apply style.
 * `plan` exits as `terraform plan -detailed-exitcode` does: 0 no changes, 2 changes planned, 1 an
 * error (a bad file, an unknown cluster); 3 and 4 keep their meaning (token, console unreachable).
 */
interface TFileOpts {
  file?: string;
  prune?: boolean;
  json?: boolean;
  cluster?: string;
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** One line per record, then each field: what a reviewer reads before saying yes. */
export function formatPlan(plan: TInventoryPlan): string[] {
  const lines: string[] = [];
  const sign = { add: "+", change: "~", remove: "-" } as const;
  for (const c of plan.changes) {
    lines.push(`${sign[c.op]} ${c.kind} ${c.kind === "cluster" ? c.name : `${c.cluster}/${c.name}`}`);
    for (const f of c.fields)
      lines.push(
        c.op === "add" ? `    ${f.field}: ${show(f.after)}` : `    ${f.field}: ${show(f.before)} → ${show(f.after)}`,
      );
  }
  const { add, change, remove } = plan.summary;
  lines.push(
    plan.changes.length
      ? `Plan: ${add} to add, ${change} to change, ${remove} to remove.${plan.prune ? "" : " (Without --prune nothing is removed.)"}`
      : "No changes: the console's inventory matches the file.",
  );
  return lines;
}

async function readYaml(file: string | undefined): Promise<string> {
  if (!file) throw new CliError(EXIT.USAGE, "Name the inventory file with -f FILE.yaml.");
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    throw new CliError(EXIT.USAGE, `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export function addInventoryCommands(program: Command, { io, clientOf, done, setJson }: TCommandContext): void {
  const inventory = program
    .command("inventory")
    .description("the inventory as code: export it to a file, plan a file against the console, apply it");
  inventory
    .command("export")
    .description("print the inventory (or one cluster's) as YAML, credentials as <kept>; or write it with -f")
    .option("-c, --cluster <name>", "only this cluster")
    .option("-f, --file <file.yaml>", "write the YAML to this file instead of stdout")
    .option("--json", "print {yaml, clusters} as JSON")
    .action(async (opts: TFileOpts, cmd: Command) => {
      setJson(Boolean(opts.json));
      const answer = await clientOf(cmd).inventoryExport(opts.cluster);
      if (opts.file) {
        await fs.writeFile(opts.file, answer.yaml);
        io.err(`wrote ${answer.clusters} cluster(s) to ${opts.file}`);
      }
      if (opts.json) io.out(JSON.stringify(answer, null, 2));
      else if (!opts.file) io.out(answer.yaml.trimEnd());
      done(EXIT.OK);
    });
  for (const step of ["plan", "apply"] as const) {
    inventory
      .command(step)
      .description(
        step === "plan"
          ? "show what applying the file would change, field by field (writes nothing); exit 0 no changes, 2 changes, 1 error"
          : "make the file's changes in one transaction (one audit entry); prints what changed",
      )
      .option("-f, --file <file.yaml>", "the inventory file")
      .option("--prune", "also remove members, frontends and stores of the listed clusters that the file leaves out")
      .option("--json", "print the plan as JSON on stdout")
      .action(async (opts: TFileOpts, cmd: Command) => {
        setJson(Boolean(opts.json));
        let plan: TInventoryPlan;
        try {
          plan = await clientOf(cmd).inventoryPlan(step, await readYaml(opts.file), Boolean(opts.prune));
        } catch (err) {
          // terraform's -detailed-exitcode: 2 is "changes planned", so a plan's error is 1.
          if (step === "plan" && err instanceof CliError && err.exitCode === EXIT.USAGE)
            throw new CliError(EXIT.PARTIAL, err.message, err.code, err.hint);
          throw err;
        }
        if (opts.json) io.out(JSON.stringify(plan, null, 2));
        else io.out(formatPlan(plan).join("\n"));
        done(step === "plan" && plan.changes.length > 0 ? EXIT.CHANGES_PLANNED : EXIT.OK);
      });
  }
}
