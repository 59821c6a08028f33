import type { Command } from "commander";
import type { TClient } from "@/server/cli/api-client";
import type { TExitCode } from "@/server/cli/exit-codes";

/** What a group of commands gets from main.ts: where to print, a client for the console, how to end. */
export interface TCommandContext {
  io: { out: (text: string) => void; err: (text: string) => void };
  /** A client from the global --url / --token (or the environment). */
  clientOf: (cmd: Command) => TClient;
  done: (code: TExitCode) => void;
  /** Says the command prints JSON, so an error is printed as JSON too. */
  setJson: (json: boolean) => void;
}
