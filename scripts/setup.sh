#!/usr/bin/env bash
# Installs what Gatehouse's tests need on a fresh Debian machine: Debian packages (chromium for
# browser tests, slapd + ldap-utils for the LDAP tests, redis-server for private Redis instances)
# and the npm dependencies. Idempotent: does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/sbin/slapd ] || need+=(slapd)
command -v ldapadd >/dev/null 2>&1 || need+=(ldap-utils)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
  # The slapd package would start a system-wide slapd; the tests run their own.
  mkdir -p /etc/ldap && touch /etc/ldap/noslapd
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
elif [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund   # brings an existing tree up to the lock file without wiping it
fi
