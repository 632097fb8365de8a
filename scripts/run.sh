#!/usr/bin/env bash
# Runs Yingke with zero setup: builds the web UI and the binary (the first time takes a few
# minutes), then serves on http://127.0.0.1:8080 with an embedded SQLite database in ./data.
# Any argument is passed to `yingke serve`, and YINGKE_* variables apply (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
# The web UI and the visitor widget are embedded into the binary, so they are built first.
for app in web web/widget; do
  if [ ! -d "$app/node_modules" ]; then
    npm --prefix "$app" ci --no-audit --no-fund --loglevel=error
  fi
  npm --prefix "$app" run build >/dev/null
done
exec cargo run --release --locked -q -p yingke-server -- serve "$@"
