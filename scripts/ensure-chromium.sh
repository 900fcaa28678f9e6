#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium, for the browser test (test/runtimes-browser.test.ts):
# installs the `chromium` package with apt-get when it is missing (as root, or through sudo).
# Playwright never downloads a browser here: the test drives this one.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
SUDO=
if [ "$(id -u)" != 0 ]; then
  SUDO=sudo
fi
echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium package with apt-get" >&2
started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
echo "ensure-chromium: installed $("$CHROMIUM" --version) in $(( $(date +%s) - started )) s" >&2
