#!/usr/bin/env bash
# Install the Debian 12 packages the tile benchmark (bench/tiles/run.sh) needs:
# the anchors (MapServer 8, Mapnik 3.1), the servers around them (spawn-fcgi,
# nginx-light), wrk, and the Python modules of the reference rig
# (../shared/bench).  Idempotent: installs only what is missing and runs
# apt-get update only then.  Building tiled itself needs scripts/setup-deps.sh.
set -euo pipefail

PKGS=(
  mapserver-bin cgi-mapserver python3-mapscript
  python3-mapnik mapnik-utils
  spawn-fcgi nginx-light wrk
  python3-gdal python3-numpy python3-shapely
  fonts-noto-core fontconfig gdal-bin
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bench/tiles/setup: all ${#PKGS[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "bench/tiles/setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# nginx-light's postinst starts the system nginx on port 80 when it can; the
# bench never uses that instance (it runs its own nginx with its own prefix),
# so keep the package from starting services: policy-rc.d for the install only.
POLICY=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 755 "$POLICY"
  added_policy=1
fi
rc=0
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
if [ $added_policy = 1 ]; then $SUDO rm -f "$POLICY"; fi
[ $rc = 0 ] || { echo "bench/tiles/setup: apt-get install failed ($rc)" >&2; exit $rc; }
echo "bench/tiles/setup: done"
