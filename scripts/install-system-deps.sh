#!/usr/bin/env bash
# Debian packages the checks need beyond Node and git: systemd-analyze (unit checks, part of
# `npm test`) and nix-instantiate (parsing nix/module.nix, `npm run check:nix`). Idempotent.
set -euo pipefail
missing=()
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v nix-instantiate >/dev/null 2>&1 || missing+=(nix-bin)
command -v git >/dev/null 2>&1 || missing+=(git)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
