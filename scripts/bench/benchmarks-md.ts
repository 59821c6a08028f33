import fs from "node:fs";

/**
 * BENCHMARKS.md holds one section per bench (`npm run bench -- --section NAME` refreshes one), each
 * between markers, so a run of one bench never erases another's figures.
 */
export function writeBenchSection(file: string, name: string, markdown: string): void {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const at = text.indexOf(begin);
  const until = text.indexOf(end);
  let next: string;
  if (at >= 0 && until > at) next = text.slice(0, at) + block + text.slice(until + end.length);
  else if (text.includes("<!-- bench:")) next = `${text.trimEnd()}\n\n${block}\n`;
  // A file from before the sections: its content was the session-store bench's.
  else
    next = `${text.trim() ? `<!-- bench:session-stores -->\n${text.trim()}\n<!-- /bench:session-stores -->\n\n` : ""}${block}\n`;
  fs.writeFileSync(file, next);
}

/** A bench's rows as the Markdown table every section prints: measure, ours, raw baseline, ratio, target, note. */
export function benchTable(
  oursHeader: string,
  rows: ReadonlyArray<{ what: string; ours: string; raw: string; ratio: string; target: string; note: string }>,
): string {
  const header = ["measure", oursHeader, "raw baseline", "ours/raw", "target", "note"];
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.what} | ${r.ours} | ${r.raw} | ${r.ratio} | ${r.target} | ${r.note} |`),
  ].join("\n");
}
