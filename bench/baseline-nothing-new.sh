#!/usr/bin/env bash
# The least a timer that finds nothing new must do, in bash: fetch every repo and compare it with
# its remote branch. What `xs-upgrade run` with nothing upstream is measured against.
# Usage: bench/baseline-nothing-new.sh HOST_DIR
set -euo pipefail
cd "$1"
news=0
for repo in repos/*; do
  git -C "$repo" fetch -q --no-tags origin +refs/heads/main:refs/remotes/origin/main
  [ "$(git -C "$repo" rev-parse HEAD)" = "$(git -C "$repo" rev-parse refs/remotes/origin/main)" ] || news=1
done
[ "$news" = 0 ] && echo "nothing new"
