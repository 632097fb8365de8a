#!/usr/bin/env bash
# Runs `yingke-bench chat` against a fresh release server on this machine and prints its JSON line.
# usage: scripts/bench-chat.sh <sqlite|postgres> VISITORS AGENTS RATE SECONDS
# (build first: cargo build --release -p yingke-server -p yingke-bench)
set -eu
ulimit -n 20000 || true
backend=$1; shift
dir=$(mktemp -d)
port=18600
echo "sqlite_synchronous_full = ${SYNC_FULL:-true}" > $dir/yingke.toml
envs="YINGKE_CONFIG=$dir/yingke.toml YINGKE_DATA_DIR=$dir YINGKE_LISTEN=127.0.0.1:$port YINGKE_ADMIN_EMAIL=bench@yingke.local YINGKE_ADMIN_PASSWORD=bench-password-1 YINGKE_LOG=warn"
if [ "$backend" = postgres ]; then
  psql postgres://postgres@127.0.0.1/postgres -qtAc 'DROP DATABASE IF EXISTS yingke_bench WITH (FORCE)' >/dev/null
  psql postgres://postgres@127.0.0.1/postgres -qtAc 'CREATE DATABASE yingke_bench' >/dev/null
  envs="$envs DATABASE_URL=postgres://postgres@127.0.0.1/yingke_bench"
fi
env $envs "$(dirname "$0")/../target/release/yingke" serve > $dir/server.log 2>&1 &
pid=$!
sleep 2
YINGKE_ADMIN_EMAIL=bench@yingke.local YINGKE_ADMIN_PASSWORD=bench-password-1 \
  "$(dirname "$0")/../target/release/yingke-bench" chat --url http://127.0.0.1:$port \
  --visitors $1 --agents $2 --rate $3 --duration $4 --server-pid $pid 2>/dev/null | tail -1
echo "server cpu: $(ps -o cputime= -p $pid)"
kill $pid; wait $pid 2>/dev/null || true
rm -rf $dir
