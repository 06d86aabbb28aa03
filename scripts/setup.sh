#!/usr/bin/env bash
# Installs what ordinal and its tests need on a Debian machine with Node 20:
# the Debian packages (busybox for the examples' containers, dig for DNS
# tests, util-linux/iproute2 for the linux runtime, chromium for the
# dashboard's browser tests) and the npm dependencies,
# then builds. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# g++, make and python3 build the native parts (better-sqlite3, the DNS's UDP addon).
# chromium runs the dashboard's page headless in its tests (test/web/).
packages=(busybox-static dnsutils util-linux mount bsdutils iproute2 procps wget g++ make python3 chromium)
# The benchmarks compare the cluster DNS with dnsmasq (the binary only:
# dnsmasq-base starts no system service) under dnsperf.
if [ "${1:-}" = "--bench" ]; then packages+=(dnsperf dnsmasq-base); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then apt=(); elif sudo -n true 2>/dev/null; then apt=(sudo); else apt=(none); fi
  if [ "${apt[0]:-}" = none ]; then
    echo "setup: please install these Debian packages (as root): ${missing[*]}" >&2
  else
    echo "setup: installing ${missing[*]}" >&2
    "${apt[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# npm ci only when the lock file changed since the last install (better-sqlite3
# builds from source here, about 90 s).
stamp=node_modules/.ordinal-lock.sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
npm run --silent build
