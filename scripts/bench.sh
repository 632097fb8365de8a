#!/usr/bin/env bash
# Runs a `yingke-bench` scenario against a fresh release server on this machine and prints its
# JSON line and the server's CPU time.
# usage: scripts/bench.sh <sqlite|postgres> <scenario> [scenario flags…]
#   scripts/bench.sh sqlite chat --visitors 2000 --agents 50 --rate 400 --duration 30
#   scripts/bench.sh postgres routing --agents 50 --teams 5 --conversations 1000 --burst-ms 1000
# (build first: cargo build --release -p yingke-server -p yingke-bench)
# PG_POOL=N sets postgres_max_connections; PG_URL=… replaces the database URL (the database
# yingke_bench is dropped and created either way), e.g. to add ?sslmode=require.
set -eu
ulimit -n 20000 || true
backend=$1; scenario=$2; shift 2
dir=$(mktemp -d)
port=18600
echo "sqlite_synchronous_full = ${SYNC_FULL:-true}" > $dir/yingke.toml
[ -n "${PG_POOL:-}" ] && echo "postgres_max_connections = $PG_POOL" >> $dir/yingke.toml
envs="YINGKE_CONFIG=$dir/yingke.toml YINGKE_DATA_DIR=$dir YINGKE_LISTEN=127.0.0.1:$port YINGKE_ADMIN_EMAIL=bench@yingke.local YINGKE_ADMIN_PASSWORD=bench-password-1 YINGKE_LOG=warn"
if [ "$backend" = postgres ]; then
  psql postgres://postgres@127.0.0.1/postgres -qtAc 'DROP DATABASE IF EXISTS yingke_bench WITH (FORCE)' >/dev/null
  psql postgres://postgres@127.0.0.1/postgres -qtAc 'CREATE DATABASE yingke_bench' >/dev/null
  envs="$envs DATABASE_URL=${PG_URL:-postgres://postgres@127.0.0.1/yingke_bench}"
fi
env $envs "$(dirname "$0")/../target/release/yingke" serve > $dir/server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf $dir' EXIT
sleep 2
if ! grep -q "is listening" $dir/server.log; then
  echo "the server did not start (is port $port taken by a leftover server?):" >&2
  cat $dir/server.log >&2
  exit 1
fi
extra=""
[ "$scenario" = chat ] && extra="--server-pid $pid"
YINGKE_ADMIN_EMAIL=bench@yingke.local YINGKE_ADMIN_PASSWORD=bench-password-1 \
  "$(dirname "$0")/../target/release/yingke-bench" "$scenario" --url http://127.0.0.1:$port "$@" $extra 2>/dev/null | tail -1
echo "server cpu: $(ps -o cputime= -p $pid)"
kill $pid; wait $pid 2>/dev/null || true
