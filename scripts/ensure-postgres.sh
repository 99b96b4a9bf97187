#!/bin/sh
# Make sure Debian's PostgreSQL server exists for the tests on PostgreSQL
# (tests/pg.py starts a throwaway cluster of it; nothing is configured or
# started system-wide). PG_BIN points at another installation if needed.
set -e
if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]; then
  exit 0
fi
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
echo "PostgreSQL not found: installing Debian's postgresql package"
if [ "$(id -u)" = "0" ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -q
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
else
  echo "Install PostgreSQL (apt-get install postgresql) or set PG_BIN." >&2
  exit 1
fi
