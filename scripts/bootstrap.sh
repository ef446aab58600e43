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
bootstrap_redis() {
  if redis_answers; then return; fi
  if ! command -v redis-server >/dev/null 2>&1; then
    step "installing Debian's redis-server"
    apt_install redis-server
  fi
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
