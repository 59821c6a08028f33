// The settings a console needs to run against the lab (today: the nginx include directory), read from
// $LAB_DIR/lab.env as `lab.sh up` writes it. Plain JavaScript so the Vitest and Playwright configs can
// load it before any TypeScript loader is set up. Labs started before the directory was written there
// get it from the include file's folder. Empty when there is no lab (unit runs).
import fs from "node:fs";
import path from "node:path";

const REPO_DIR = path.resolve(import.meta.dirname, "../..");

/** @returns {Record<string, string>} */
export function consoleEnvForLab() {
  const file = path.join(process.env.LAB_DIR ?? path.join(REPO_DIR, ".lab"), "lab.env");
  if (!fs.existsSync(file)) return {};
  /** @type {Record<string, string>} */
  const env = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  const dir = env.CLUSTERDECK_NGINX_INCLUDE_DIR ?? (env.LAB_NGINX_INCLUDE && path.dirname(env.LAB_NGINX_INCLUDE));
  return dir ? { CLUSTERDECK_NGINX_INCLUDE_DIR: dir } : {};
}
