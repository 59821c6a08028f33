/**
 * `npm run rig:large-cluster [-- --members N] [--kinds apache-balancer,mod-jk,haproxy]`: the console
 * (production build) polling synthetic frontends of N members, to look at a large cluster by hand. Prints
 * where to sign in; Ctrl-C stops the console and the frontends.
 */
import { startConsoleRig } from "@/test-support/synthetic-frontend/console-rig";
import type { TSyntheticKind } from "@/test-support/synthetic-frontend/server";

const KINDS: readonly TSyntheticKind[] = ["apache-balancer", "mod-jk", "haproxy"];

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const members = Number(arg("--members") ?? 1000);
if (!Number.isInteger(members) || members < 1 || members > 10_000)
  throw new Error(`--members is a whole number from 1 to 10000, not "${arg("--members")}"`);
const kinds = (arg("--kinds") ?? "apache-balancer,apache-balancer,apache-balancer,apache-balancer").split(",");
for (const k of kinds)
  if (!KINDS.includes(k as TSyntheticKind)) throw new Error(`--kinds takes ${KINDS.join(", ")}; "${k}" is not one`);

const rig = await startConsoleRig({ kinds: kinds as TSyntheticKind[], members });
process.stdout.write(
  `${rig.url}/clusters/${rig.cluster}  (admin / ${rig.adminPassword}); ${kinds.length} frontends × ${members} members\n` +
    `frontends: ${rig.frontends.map((f) => f.url).join(" ")}\nCtrl-C to stop\n`,
);
const stop = () => void rig.stop().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
