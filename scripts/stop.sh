#!/usr/bin/env bash
# Stops the SRI simulator that `make run` (scripts/run.sh) started detached, by its pid file
# ($SRI_DATA/simulator-$SRI_SIMULATOR_PORT.pid; defaults ~/.local/share/l10n_ec_sri and 8099).
# --all: every simulator run.sh started (all its pid files); --quiet: say nothing when none runs.
set -euo pipefail
DATA="${SRI_DATA:-$HOME/.local/share/l10n_ec_sri}"
SIM_PORT="${SRI_SIMULATOR_PORT:-8099}"
quiet=""; pid_files=("$DATA/simulator-$SIM_PORT.pid")
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=1 ;;
    --all) shopt -s nullglob; pid_files=("$DATA"/simulator-*.pid); shopt -u nullglob ;;
    *) echo "usage: $0 [--all] [--quiet]" >&2; exit 2 ;;
  esac
done
say() { [ -n "$quiet" ] || echo "[stop] $*"; }

stopped=0
for pid_file in "${pid_files[@]}"; do
  [ -f "$pid_file" ] || continue
  pid="$(cat "$pid_file" 2>/dev/null || true)"
  # Only a live process that is our simulator: a stale pid file may name a pid now used by another program.
  if [[ "$pid" =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-m sri simulator"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true   # its own process group
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
    say "SRI simulator stopped (pid $pid, $(basename "$pid_file" .pid))"
    stopped=$((stopped + 1))
  fi
  rm -f "$pid_file"
done
[ "$stopped" -gt 0 ] || say "no SRI simulator started by make run is running (pid files: ${pid_files[*]:-none})"
