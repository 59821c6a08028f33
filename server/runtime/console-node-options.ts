/**
 * The Node options the console runs with, wherever it is started (npm start, the demo, the e2e server,
 * the benches): a launcher test (console-node-options.test.ts) checks each one carries them.
 *
 * Why a smaller young generation: the console's big allocations are Buffers (socket reads of status
 * pages and metadumps, session id chunks), whose memory lives outside the JavaScript heap and is freed
 * only when the small objects wrapping them are collected. With V8's default 16 MB semi-spaces those
 * wrappers wait longer, and while a store is rescanned the freed-late buffers pile up: measured on
 * 1,000,000 indexed MSM sessions, 8 MB semi-spaces lowered the rescan's peak RSS by about 20 MiB
 * (328 -> 308 MiB in a bare process) at the same scan time.
 */
export const CONSOLE_NODE_OPTIONS = "--max-semi-space-size=8";

/** NODE_OPTIONS for a console process: ours first, then whatever the caller already had. */
export function consoleNodeOptions(existing: string | undefined): string {
  return [CONSOLE_NODE_OPTIONS, existing ?? ""].join(" ").trim();
}
