#!/usr/bin/env node
// Entry of `clusterdeck`: runs the TypeScript sources through tsx's ESM loader (tsx is a runtime
// dependency). The repo's tsconfig is named explicitly so its "@/…" paths resolve from any cwd.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// `clusterdeck status | head`: a reader that goes away early is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

register({ tsconfig: fileURLToPath(new URL("../../tsconfig.json", import.meta.url)) });
const { run, processIo } = await import("./main.ts");
// exitCode, not exit(): lets piped stdout drain before the process ends.
process.exitCode = await run(process.argv.slice(2), processIo);
