#!/bin/sh
# Headless Chromium for the console's end-to-end tests and local Browser Rendering:
# Debian's package, installed once (never a browser download, which fails offline).
# miniflare's Browser Rendering looks for Chrome for Testing of one version under
# ${XDG_CACHE_HOME:-~/.cache}/.wrangler/chrome/linux-<version>/ and would download it;
# a small launcher there running Debian's chromium, marked installed, takes its place.
set -eu
if ! command -v chromium >/dev/null 2>&1; then
  echo "› installing chromium (apt)…"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi
CHROME_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/.wrangler/chrome"
for index in $(find node_modules -path '*miniflare/dist/src/index.js' 2>/dev/null); do
  version=$(sed -n 's/^var BROWSER_VERSION = "\([0-9.]*\)";$/\1/p' "$index" | head -n 1)
  [ -n "$version" ] || continue
  dir="$CHROME_DIR/linux-$version"
  [ -f "$dir/.miniflare-install-complete" ] && continue
  mkdir -p "$dir/chrome-linux64"
  printf '#!/bin/sh\nexec /usr/bin/chromium --no-sandbox --disable-gpu "$@"\n' > "$dir/chrome-linux64/chrome"
  chmod +x "$dir/chrome-linux64/chrome"
  : > "$dir/.miniflare-install-complete"
  echo "› Browser Rendering: miniflare's Chrome $version → Debian chromium"
done
