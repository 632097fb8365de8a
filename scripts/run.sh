#!/usr/bin/env bash
# Runs Yingke with zero setup: builds the web UI and the binary (the first time takes a few
# minutes), then serves on http://127.0.0.1:8080 with an embedded SQLite database in ./data.
# Any argument is passed to `yingke serve`, and YINGKE_* variables apply (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d web/node_modules ]; then
  npm --prefix web ci --no-audit --no-fund --loglevel=error
fi
npm --prefix web run build >/dev/null
exec cargo run --release --locked -q -p yingke-server -- serve "$@"
