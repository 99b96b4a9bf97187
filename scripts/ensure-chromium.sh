#!/bin/sh
# Make sure a Chromium for the browser tests exists (Debian's package; Playwright
# cannot download browsers here). CHROMIUM_PATH points elsewhere if needed.
set -e
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM_PATH" ]; then
  exit 0
fi
echo "Chromium not found at $CHROMIUM_PATH: installing Debian's chromium package"
if [ "$(id -u)" = "0" ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -q
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
else
  echo "Install Chromium (apt-get install chromium) or set CHROMIUM_PATH." >&2
  exit 1
fi
