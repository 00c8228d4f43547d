#!/usr/bin/env bash
# Install every Debian 12 package that building, running and testing tiled need.
# Idempotent: installs only what is missing; runs apt-get update only then.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config git ca-certificates
  libgdal-dev gdal-bin libproj-dev proj-bin libgeos-dev
  libpng-dev zlib1g-dev libisal-dev libmicrohttpd-dev libcairo2-dev
  libharfbuzz-dev libfreetype-dev libfontconfig-dev fonts-noto-core
  libxml2-dev libjansson-dev libcmocka-dev
  curl python3 python3-gdal clang libclang-rt-14-dev
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-deps: done"
