import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Golden-file tests over every `*<extension>` (default .xml) in `<dir>/__fixtures__`: the parser's output
 * must equal the reviewed `<dir>/__golden__/<name>.json`. UPDATE_GOLDEN=1 rewrites them (review the diff before committing);
 * otherwise a missing golden file is a failure, never a silent write.
 */
export function describeGoldenFiles(
  title: string,
  dir: string,
  parse: (text: string) => unknown,
  expectedCount: number,
  extension = ".xml",
): void {
  const fixturesDir = path.join(dir, "__fixtures__");
  const goldenDir = path.join(dir, "__golden__");
  const fixtures = fs
    .readdirSync(fixturesDir)
    .filter((name) => name.endsWith(extension))
    .sort();
  const goldenPathOf = (fixture: string) => path.join(goldenDir, `${fixture.slice(0, -extension.length)}.json`);

  describe(title, () => {
    it("has every capture", () => {
      expect(fixtures.length).toBe(expectedCount);
    });

    it.each(fixtures)("%s", (fixture) => {
      const actual = parse(fs.readFileSync(path.join(fixturesDir, fixture), "utf8"));
      const goldenPath = goldenPathOf(fixture);
      if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(goldenPath, `${JSON.stringify(actual, null, 2)}\n`);
      expect(fs.existsSync(goldenPath), `${goldenPath} is missing: run with UPDATE_GOLDEN=1, then review it`).toBe(
        true,
      );
      expect(actual).toStrictEqual(JSON.parse(fs.readFileSync(goldenPath, "utf8")));
    });

    it("has no golden file without a fixture", () => {
      const expected = new Set(fixtures.map((fixture) => path.basename(goldenPathOf(fixture))));
      expect(fs.readdirSync(goldenDir).filter((name) => !expected.has(name))).toStrictEqual([]);
    });
  });
}
