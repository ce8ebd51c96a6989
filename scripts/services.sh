#!/usr/bin/env bash
# Makes sure the shared PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer, starting
# them with Debian's own commands when they are installed but stopped. Tests that must stop or
# restart Redis start a private redis-server of their own.
set -uo pipefail
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "services: PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  sleep 1
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "services: Redis does not answer on 127.0.0.1:6379" >&2; exit 1; }
