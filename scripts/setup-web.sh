#!/usr/bin/env bash
# Install the web viewer's front-end dependency (OpenLayers, from the npm registry) into
# web/node_modules, pinned by web/package-lock.json. Idempotent. Never committed.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ -f node_modules/ol/dist/ol.js ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
npm ci --no-audit --no-fund --silent
echo "setup-web: OpenLayers $(node -p 'require("./node_modules/ol/package.json").version' 2>/dev/null || echo installed)"
