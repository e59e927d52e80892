#!/usr/bin/env bash
# What NixOS's own auto-upgrade amounts to, for the same sandbox host as `xs-upgrade run`: the same
# git operations (check, save, fetch, fast-forward every repo) and the same commands, in bash.
# Usage: bench/baseline.sh HOST_DIR CHECKS
set -euo pipefail
cd "$1"
checks="${2:-3}"

sh -c true # the pre-update hook
saved=""
for repo in repos/*; do
  git -C "$repo" symbolic-ref -q HEAD >/dev/null
  [ -z "$(git -C "$repo" status --porcelain)" ]
  saved="$saved$(basename "$repo")=$(git -C "$repo" rev-parse HEAD)\n"
done
mkdir -p baseline-state
printf "%b" "$saved" > baseline-state/saved.tmp
mv baseline-state/saved.tmp baseline-state/saved
for repo in repos/*; do
  git -C "$repo" fetch -q --no-tags origin +refs/heads/main:refs/remotes/origin/main
  git -C "$repo" merge -q --ff-only refs/remotes/origin/main
done
sh -c true # build
for _ in $(seq "$checks"); do sh -c true; done
sh -c true # switch
