# Sourced by scripts/run and scripts/test: installs what the build and the tests need,
# only where missing, from the package registries alone (crates.io, npm, Debian).
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The build cache lives outside the clone so fresh clones (and CI) reuse it.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/let-them-draw/target}
# cargo-leptos bakes this into leptos_config; plain cargo builds set the same value so
# switching between `cargo leptos build` and `cargo test` does not rebuild half the tree.
export LEPTOS_OUTPUT_NAME=let-them-draw
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local stamp=/var/lib/apt/periodic/ltd-updated
  if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
    as_root apt-get update -qq && as_root mkdir -p "$(dirname "$stamp")" && as_root touch "$stamp"
  fi
  # A first install of chromium has been seen to stop on a dpkg error that -f install clears.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" ||
    { as_root env DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; }
}

lock_version() {
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

bootstrap_rust() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # 0.3.11 needs rustc 1.96; --locked keeps its dependencies at versions that build here.
  if ! cargo leptos --version 2>/dev/null | grep -q ' 0\.3\.10$'; then
    step "installing cargo-leptos 0.3.10 (about 10 minutes, once per machine)"
    cargo install cargo-leptos --version 0.3.10 --locked
  fi
  # Must match the wasm-bindgen crate exactly; not --locked: its lockfile pins a
  # webpki-roots version the registry no longer has.
  local wbg
  wbg=$(lock_version wasm-bindgen)
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$"; then
    step "installing wasm-bindgen-cli $wbg (about 5 minutes, once per machine)"
    cargo install wasm-bindgen-cli --version "$wbg" --force
  fi
}

bootstrap_node() {
  # end2end/package.json brings Playwright and binaryen's wasm-opt (Debian's binaryen 108
  # produces wasm that fails to hydrate). cargo-leptos finds wasm-opt on PATH.
  local modules="$ROOT/end2end/node_modules"
  if [ ! -x "$modules/.bin/wasm-opt" ] || [ ! -d "$modules/@playwright/test" ] ||
     [ "$ROOT/end2end/package-lock.json" -nt "$modules/.package-lock.json" ]; then
    step "installing the end2end npm packages"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

bootstrap_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    step "installing Debian's chromium"
    apt_install chromium
  fi
}

# Redis for the scale-out tests: use the one on 127.0.0.1:6379, else install and start one.
# redis-server itself is needed too: a test stops and restarts a Redis of its own.
bootstrap_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    step "installing Debian's redis-server"
    apt_install redis-server
  fi
  if redis_answers; then return; fi
  step "starting Redis on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --logfile /tmp/let-them-draw-redis.log
  local tries=0
  until redis_answers; do
    tries=$((tries + 1))
    if [ "$tries" -gt 50 ]; then echo "Redis did not start; see /tmp/let-them-draw-redis.log" >&2; return 1; fi
    sleep 0.1
  done
}

redis_answers() {
  local reply
  { exec 3<>/dev/tcp/127.0.0.1/6379; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  read -r -t 2 reply <&3 || true
  exec 3>&- 3<&-
  [ "${reply%$'\r'}" = "+PONG" ]
}

# PostgreSQL for the scale-out tests: use the one on 127.0.0.1:5432, else install Debian's
# and start it. The tests connect as postgres/postgres (a trust setup ignores the password).
bootstrap_postgres() {
  if port_open 5432; then return; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    step "installing Debian's postgresql"
    apt_install postgresql
  fi
  step "starting PostgreSQL on 127.0.0.1:5432"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  local tries=0
  until port_open 5432; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then echo "PostgreSQL did not start" >&2; return 1; fi
    sleep 0.1
  done
  as_root runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'postgres'"
}

# moto's server (PyPI) as the S3 and Cognito emulator: started for this run on a free port,
# stopped by the caller's cleanup. Exports the AWS_* variables pointing at it.
start_moto() {
  if ! python3 -c 'import moto.server, flask' >/dev/null 2>&1; then
    step "installing moto[server] from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check "moto[server]"
  fi
  # The SMTP server the mail tests start (python3 -m aiosmtpd).
  if ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
    step "installing aiosmtpd from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
  fi
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  step "starting moto on 127.0.0.1:$port"
  python3 -m moto.server -H 127.0.0.1 -p "$port" >"${TMPDIR:-/tmp}/let-them-draw-moto.log" 2>&1 &
  MOTO_PID=$!
  local tries=0
  until port_open "$port"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 200 ]; then echo "moto did not start; see ${TMPDIR:-/tmp}/let-them-draw-moto.log" >&2; return 1; fi
    sleep 0.1
  done
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
}

port_open() {
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  exec 3>&- 3<&-
}

# Drops what the scale-out tests left on the shared engines (databases ltd_test_*, Redis
# keys ltd-test-*); moto's buckets go with moto.
clean_test_resources() {
  if command -v psql >/dev/null 2>&1; then
    # One session for all the drops (a connection per database took a minute for 120).
    psql "$LTD_TEST_POSTGRES_URL" -Atc "SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE);', datname)
      FROM pg_database WHERE datname LIKE 'ltd\_test\_%'" 2>/dev/null |
      psql "$LTD_TEST_POSTGRES_URL" -q >/dev/null 2>&1 || true
  fi
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -u "$LTD_TEST_REDIS_URL" --scan --pattern 'ltd-test-*' 2>/dev/null |
      xargs -r -n 500 redis-cli -u "$LTD_TEST_REDIS_URL" unlink >/dev/null 2>&1 || true
  fi
}

# A Cognito user pool and app client in moto for the end-to-end tests; exports their ids.
create_e2e_cognito_pool() {
  local ids
  ids=$(python3 - <<'PY'
import boto3, os
client = boto3.client("cognito-idp", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
pool = client.create_user_pool(PoolName="ltd-e2e", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
app = client.create_user_pool_client(UserPoolId=pool, ClientName="let-them-draw-e2e",
    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
print(pool, app)
PY
)
  export E2E_COGNITO_POOL_ID=${ids% *} E2E_COGNITO_CLIENT_ID=${ids#* }
}
