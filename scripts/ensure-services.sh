#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer before the tests run.
# Installed but stopped: start them. Absent: say exactly what to install.
set -u

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 1; done; return 1; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    echo "PostgreSQL is installed but not running: starting it."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  if ! wait_for pg_up; then
    echo "PostgreSQL is not reachable on 127.0.0.1:5432." >&2
    echo "Install it (Debian: apt-get install postgresql) with trust auth for user postgres and a database 'test'," >&2
    echo "or run: docker compose up -d db redis" >&2
    exit 1
  fi
fi

if ! redis_up; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "Redis is installed but not running: starting it."
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  if ! wait_for redis_up; then
    echo "Redis is not reachable on 127.0.0.1:6379." >&2
    echo "Install it (Debian: apt-get install redis-server), or run: docker compose up -d db redis" >&2
    exit 1
  fi
fi
echo "PostgreSQL and Redis are up."
