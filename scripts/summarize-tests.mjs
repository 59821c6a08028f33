// Adds up the JSON reports of vitest (unit, integration) and Playwright (e2e), prints one line per layer
// and the closing "tests: N passed, N failed" line, and exits 1 if anything failed or a step broke.
import fs from "node:fs";
import path from "node:path";

const [dir, failedStepCount, ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

function read(file) {
  const p = path.join(dir, file);
  return fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, "utf8")) : null;
}
for (const layer of ["unit", "integration"]) {
  const r = read(`${layer}.json`);
  if (!r) {
    console.log(`${layer}: no report (the step did not run)`);
    continue;
  }
  console.log(
    `${layer}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
  );
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
}
const e2e = read("e2e-report.json");
if (e2e) {
  const s = e2e.stats;
  console.log(`e2e: ${s.expected} passed, ${s.unexpected + s.flaky} failed, ${s.skipped} skipped`);
  passed += s.expected;
  failed += s.unexpected + s.flaky;
  skipped += s.skipped;
} else {
  console.log("e2e: no report (the step did not run)");
}
if (Number(failedStepCount) > 0) console.log(`steps that failed: ${failedSteps.join(", ")}`);
// A skipped test is a defect here (it cannot fail): count it as a failure.
if (skipped > 0) console.log(`${skipped} skipped test(s) counted as failed`);
console.log(`tests: ${passed} passed, ${failed + skipped} failed`);
process.exit(failed + skipped > 0 || Number(failedStepCount) > 0 || passed === 0 ? 1 : 0);
