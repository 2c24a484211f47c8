#!/bin/sh
# Headless Chromium for the console's end-to-end tests and local Browser Rendering:
# Debian's package, installed once (never a browser download, which fails offline).
set -eu
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "› installing chromium (apt)…"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
