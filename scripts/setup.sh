#!/usr/bin/env bash
# Installs everything the repository needs on a fresh Debian/Ubuntu machine with Node.js 20.19+:
# pnpm (the version pinned in package.json), nats-server and chromium (Debian packages) and all dependencies.
# Safe to run again: every step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The one Node.js version floor, the same as package.json's "engines" and the README.
node_ok=$(node -e 'const [a, b] = process.versions.node.split(".").map(Number); console.log(a > 20 || (a === 20 && b >= 19) ? 1 : 0)' 2>/dev/null || echo 0)
if [ "$node_ok" != 1 ]; then
  echo "setup: Node.js 20.19 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  log "installing pnpm $pnpm_version"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

# nats-server for the messaging tests; openssl for the tests that make TLS certificates; chromium
# for the capture page's tests in a real browser (driven by playwright-core, which downloads none).
missing=""
command -v nats-server >/dev/null 2>&1 || missing="$missing nats-server"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
if [ -n "$missing" ]; then
  log "installing$missing from the system packages"
  if command -v apt-get >/dev/null 2>&1; then
    as_root apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq $missing >/dev/null
  else
    echo "setup:$missing missing and apt-get is not available; install them (nats-server 2.9+; Chromium at /usr/bin/chromium or CHROMIUM_PATH) and run again" >&2
    exit 1
  fi
fi

# The browser tests use the system's Chromium: no package may download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1
log "installing dependencies"
if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --reporter=append-only
fi
