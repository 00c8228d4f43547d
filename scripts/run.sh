#!/usr/bin/env bash
# The README's run command: install what is missing, build, write the Binh Duong demo store
# (once) and serve it on http://127.0.0.1:8080 (override with LISTEN=host:port, SCALE=medium).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-deps.sh
bash scripts/setup-web.sh
cmake --preset release >/dev/null
cmake --build --preset release

SCALE=${SCALE:-small}
STORE=${STORE:-data/binhduong-$SCALE.gpkg}
LISTEN=${LISTEN:-127.0.0.1:8080}
mkdir -p "$(dirname "$STORE")"
if [ ! -f "$STORE" ]; then
  echo "writing the $SCALE demo store to $STORE"
  ./build/release/tiled/tiled demo --store "$STORE.tmp" --scale "$SCALE"
  mv "$STORE.tmp" "$STORE"
  rm -f "$STORE.tmp.lock" "$STORE.tmp-wal" "$STORE.tmp-shm"
fi
./build/release/tiled/tiled layers --store "$STORE"
exec ./build/release/tiled/tiled serve --store "$STORE" --listen "$LISTEN"
