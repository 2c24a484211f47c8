#!/bin/sh
# Installs node_modules when they are missing or older than package-lock.json.
# `npm ci` cannot be used here: the registry mirror lacks other platforms' workerd
# builds, so a lockfile made here would be refused (see ../shared/TOOLCHAIN.md).
set -eu
cd "$(dirname "$0")/../.."
stamp=node_modules/.edgewise-lock-stamp
if [ -f "$stamp" ] && [ -x node_modules/.bin/node ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
echo "› installing dependencies (npm install)…"
npm install --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
