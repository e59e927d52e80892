#!/usr/bin/env bash
# Debian packages the checks need beyond Node and git, installed only when missing (idempotent;
# `npm test` runs it first, so a fresh machine needs nothing else):
# - systemd: systemd-analyze (unit checks, part of `npm test`)
# - nix-bin: nix-instantiate, nix-build, nix-env (parsing nix/module.nix; the real-Nix tests)
# - etcd-server: a real etcd on 127.0.0.1 for the fleet tests
# - faketime: the real clock shifted for maintenance and reboot window tests
# - chromium: headless, for the fleet status page test
# - util-linux, mount: unshare and mount, for the disk-full tests' tmpfs in a mount namespace
# - openssh-client: ssh-keygen, for the signed-commit tests
set -euo pipefail
missing=()
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v nix-build >/dev/null 2>&1 || missing+=(nix-bin)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
command -v mount >/dev/null 2>&1 || missing+=(mount)
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages the tests need: ${missing[*]}; run: sudo bash scripts/install-system-deps.sh" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
