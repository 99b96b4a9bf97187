#!/bin/sh
# Install Debian packages for the tests: as root directly, else through sudo.
# Usage: scripts/apt-install.sh PACKAGE... (the caller checks first whether it is needed)
set -e
if [ "$(id -u)" = "0" ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -q
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
else
  echo "Install $* (apt-get install $*) or point the tests at another installation." >&2
  exit 1
fi
