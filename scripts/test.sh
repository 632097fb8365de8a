#!/usr/bin/env bash
# Runs every test: Rust on SQLite and PostgreSQL, the OpenAPI 3.1 validation, the web unit tests,
# and the browser tests in real Chromium. Installs or starts what it needs (PostgreSQL if stopped,
# npm packages, Debian's Chromium, a Python venv with the OpenAPI validator, aiosmtpd and the
# SMS/IM providers' SDKs, Mozilla's http_ece for web push).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

PGHOST_URL=${YINGKE_TEST_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}

step "PostgreSQL"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt_install postgresql
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  for v in $(ls /etc/postgresql); do
    as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
  done
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
psql "$PGHOST_URL" -qtAc 'DROP DATABASE IF EXISTS yingke_test WITH (FORCE)' >/dev/null
psql "$PGHOST_URL" -qtAc 'CREATE DATABASE yingke_test' >/dev/null
export YINGKE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingke_test

step "NATS (the cluster tests start their own nats-server)"
command -v nats-server >/dev/null 2>&1 || apt_install nats-server
nats-server --version

step "Python venv: the OpenAPI validator, a real SMTP server (aiosmtpd), the providers' SDKs"
venv="$root/target/pyvenv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q 'openapi-spec-validator==0.7.*' 'aiosmtpd==1.4.*' \
  'alibabacloud-tea-openapi==0.4.*' 'tencentcloud-sdk-python-common==3.*' 'DingtalkChatbot==1.5.*' 'http-ece==1.2.*'
export YINGKE_TEST_PYTHON="$venv/bin/python"

step "Rust: format, lints, tests on SQLite and PostgreSQL"
# No incremental caches: a CI build runs once, and they would double the target directory.
export CARGO_INCREMENTAL=0
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -q -- -D warnings
cargo test --workspace --locked

step "OpenAPI 3.1 validation of docs/openapi.json"
"$venv/bin/python" - <<'PY'
import json
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
spec = json.load(open("docs/openapi.json"))
assert spec["openapi"].startswith("3.1"), spec["openapi"]
validate(spec, cls=OpenAPIV31SpecValidator)
print(f"docs/openapi.json is valid OpenAPI {spec['openapi']} with {len(spec['paths'])} paths")
PY

step "Web: install, type-check, unit tests, build"
cd "$root/web"
npm ci --no-audit --no-fund --loglevel=error
npm run lint
npm test
npm run build

step "Widget: install, type-check, unit tests, build, size budget"
cd "$root/web/widget"
npm ci --no-audit --no-fund --loglevel=error
npm run lint
npm test
npm run build
npm run size

step "Browser tests in Chromium"
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
# Chinese text in the screenshots the browser tests take for the README.
if [ ! -d /usr/share/fonts/opentype/noto ]; then
  apt_install fonts-noto-cjk
fi
cd "$root"
cargo build -p yingke-server --locked -q
cd "$root/web"
YINGKE_BIN="$root/target/debug/yingke" npm run e2e
