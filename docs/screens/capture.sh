#!/usr/bin/env bash
# Captures what newsarc shows a person in a real terminal (tmux, 100 columns) as text
# files beside this script. Run it after changing anything a user sees:
#   bash docs/screens/capture.sh            (newsarc must be on PATH, tmux installed)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus="$root/../shared/corpus"
cache=$(mktemp -d)
session="newsarc-screens-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$cache"' EXIT

tmux new-session -d -s "$session" -x 100 -y 60 \
  "env -i HOME=$HOME PATH=$PATH TERM=xterm-256color XDG_CACHE_HOME=$cache PS1='$ ' bash --norc --noprofile"
sleep 0.5

capture() {  # name, command line (run from the project root)
  local name=$1; shift
  tmux send-keys -t "$session" "clear; cd '$root' && $*" Enter
  # Wait until the command has finished and the prompt is back.
  for _ in $(seq 1 100); do
    sleep 0.2
    if tmux capture-pane -t "$session" -p | tail -n 3 | grep -q '^\$ $'; then break; fi
  done
  tmux capture-pane -t "$session" -p | sed -e 's/[[:space:]]*$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' \
    > "$here/$name.txt"
  echo "captured $name.txt"
}

seeds="newsarc --archive seeds --no-pager"
capture list "$seeds list"
capture search-sensetime "$seeds search sensetime"
for file in seeds/*.txt; do
  name=$(basename "$file" .txt)
  capture "show-$name" "$seeds show $file"
done
capture related "$seeds related 002_dae551df292514b4.txt"
capture stats-provider "$seeds stats --by provider"
capture check-corpus "newsarc --archive '$corpus' --no-pager check"
