import { labValue, loadLabEnv } from "./lab-env";
import type { TFrontendRow } from "../../server/services/frontends/read-frontend";

/**
 * The nginx frontend's options as the lab inventory gives them (render.sh): the include file the lab
 * wrote, and nginx's own -t / -s reload on the lab's prefix and config, as argv (no shell).
 */
export function labNginxOptions(env = loadLabEnv()) {
  const nginx = [
    labValue(env, "LAB_NGINX_BIN"),
    "-p",
    labValue(env, "LAB_NGINX_PREFIX"),
    "-c",
    labValue(env, "LAB_NGINX_CONF"),
  ];
  return {
    includeFile: labValue(env, "LAB_NGINX_INCLUDE"),
    testCommand: [...nginx, "-t"],
    reloadCommand: [...nginx, "-s", "reload"],
    stubStatusUrl: labValue(env, "LAB_NGINX_STATUS_URL"),
    probePath: "/app/health",
  };
}

export function labNginxRow(env = loadLabEnv(), options: Record<string, unknown> = labNginxOptions(env)): TFrontendRow {
  return {
    kind: "nginx",
    url: labValue(env, "LAB_NGINX_STATUS_URL"),
    balancer: labValue(env, "LAB_NGINX_UPSTREAM"),
    username: null,
    password: null,
    timeoutMs: 3000,
    options: JSON.stringify(options),
  };
}
