#!/bin/sh
# Make sure a Chromium for the browser tests exists (Debian's package; Playwright
# cannot download browsers here). CHROMIUM_PATH points elsewhere if needed.
set -e
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM_PATH" ]; then
  exit 0
fi
echo "Chromium not found at $CHROMIUM_PATH: installing Debian's chromium package"
exec "$(dirname "$0")/apt-install.sh" chromium
