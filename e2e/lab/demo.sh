#!/usr/bin/env bash
# npm run demo: start the lab (installing its Debian packages if needed), build the console, and run it
# on http://127.0.0.1:${PORT:-3000} with the lab cluster imported from the lab's inventory file.
# Light background traffic (DEMO_TRAFFIC=0 to turn off) gives the charts and every session store something
# to show: one simulated user per context (/app, /msm, /redis, /jdbc, /backup, /rebind) and frontend
# (e2e/lab/demo-targets.ts).
# Ctrl-C stops the console and the traffic; the lab keeps running until "npm run lab down".
set -euo pipefail
cd "$(dirname "$0")/../.."
export NEXT_TELEMETRY_DISABLED=1
PORT=${PORT:-3000}

bash e2e/lab/lab.sh up
# shellcheck disable=SC1091
source "${LAB_DIR:-.lab}/lab.env"
export CLUSTERDECK_INVENTORY=${CLUSTERDECK_INVENTORY:-$LAB_INVENTORY}
# The lab's nginx include file lies in this folder; the console refuses include files elsewhere.
export CLUSTERDECK_NGINX_INCLUDE_DIR=${CLUSTERDECK_NGINX_INCLUDE_DIR:-$(dirname "$LAB_NGINX_INCLUDE")}

node prisma/cli.mjs generate
node_modules/.bin/next build
node prisma/cli.mjs migrate deploy

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [[ ${DEMO_TRAFFIC:-1} == 1 ]]; then
  # Bounded like every load here: one user per target (26), 4 requests/s, stops by itself after 8 hours.
  # node itself with tsx as a loader (not the tsx wrapper, whose node child would outlive a kill).
  # The words are "--target URL" pairs: half of them are targets.
  read -ra targets <<<"$(node --import tsx e2e/lab/demo-targets.ts)"
  node --import tsx e2e/lab/traffic.ts --users "$((${#targets[@]} / 2))" --rate 4 --duration 28800 "${targets[@]}" \
    >"$LAB_DIR/demo-traffic.log" 2>&1 &
  pids+=($!)
fi

echo "ClusterDeck: http://127.0.0.1:$PORT  (lab cluster from $CLUSTERDECK_INVENTORY)"
node_modules/.bin/next start -H 127.0.0.1 -p "$PORT" &
pids+=($!)
wait "${pids[-1]}"
