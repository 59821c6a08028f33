#!/usr/bin/env bash
# Every test of the project, in order: typecheck, format and lint → unit (pure, no network) → the real lab
# up → integration against the lab → production build → Playwright e2e in Debian's Chromium → lab down (if
# this script started it).
# Prints one closing line "tests: N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p test-results
rm -f test-results/*.json

step() { printf '\n==== %s ====\n' "$*"; }
failed_steps=()
run_step() { # name, command...
  local name=$1; shift
  step "$name"
  if ! "$@"; then failed_steps+=("$name"); return 1; fi
}

lab_was_up=0
if bash e2e/lab/lab.sh status >/dev/null 2>&1; then lab_was_up=1; fi
cleanup() {
  if [[ $lab_was_up == 0 ]]; then step "lab down"; bash e2e/lab/lab.sh down || true; fi
}
trap cleanup EXIT

run_step "prisma generate" node prisma/cli.mjs generate
run_step "typecheck" node_modules/.bin/tsc --noEmit -p .
run_step "format (prettier --check)" node_modules/.bin/prettier --check --log-level warn .
run_step "lint (eslint)" node_modules/.bin/eslint --max-warnings 0 .
run_step "OpenAPI lint (redocly)" npm run --silent lint:openapi
run_step "unit tests" node_modules/.bin/vitest run --project unit --reporter=default --reporter=json --outputFile.json=test-results/unit.json
if run_step "lab up" bash e2e/lab/lab.sh up; then
  run_step "integration tests (real Apache, mod_jk, Tomcat)" node_modules/.bin/vitest run --project integration --reporter=default --reporter=json --outputFile.json=test-results/integration.json
  if run_step "build" node_modules/.bin/next build; then
    run_step "e2e (Playwright, Debian Chromium)" node_modules/.bin/playwright test
  fi
fi

step "summary"
node scripts/summarize-tests.mjs test-results "${#failed_steps[@]}" "${failed_steps[@]}"
