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
exec "$(dirname "$0")/apt-install.sh" postgresql
