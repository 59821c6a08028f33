/**
 * One console instance's nginx edit path, in its own process, for
 * server/adapters/frontends/nginx/two-instances.pg.int.test.ts: the adapter as startConsole wires it on
 * PostgreSQL (the shared lock is a PostgreSQL advisory lock), minus everything else. Lines on stdin:
 *   go <tomcat number> <state>     → {"done":n} or {"error":message} on stdout
 * Env: LOCK_URL (PostgreSQL; unset = no shared lock, as one instance alone), TEST_WRAPPER (argv prefix put
 * before the lab's nginx -t, so the test can log when each validation runs and what it saw).
 */
import readline from "node:readline";
import pg from "pg";
import { getFrontendAdapter } from "@/server/adapters/registry";
import { readBalancer, toTarget } from "@/server/services/frontends/read-frontend";
import { pgSharedLock, setSharedLock } from "@/server/cluster-lease/shared-lock";
import type { TAdminState } from "@/server/domain/member-state";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labNginxOptions, labNginxRow } from "@/test-support/lab/lab-nginx";

const env = loadLabEnv();
const lab = labNginxOptions(env);
const wrapper = JSON.parse(process.env.TEST_WRAPPER ?? "[]") as string[];
const row = labNginxRow(env, { ...lab, testCommand: [...wrapper, ...lab.testCommand] });
const adapter = getFrontendAdapter("nginx");
if (process.env.LOCK_URL) setSharedLock(pgSharedLock(new pg.Pool({ connectionString: process.env.LOCK_URL, max: 2 })));

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const [verb, n, state] = line.trim().split(/\s+/);
  if (verb !== "go") return;
  const address = `127.0.0.1:${labValue(env, `LAB_TOMCAT${n}_HTTP_PORT`)}`;
  readBalancer(row)
    .then((balancer) => adapter.setAdminState(toTarget(row), balancer, address, state as TAdminState))
    .then(() => say({ done: Number(n) }))
    .catch((err: Error) => say({ error: err.message }));
});
say({ ready: process.pid });
