#!/usr/bin/env bash
# Build the chat widget: `npm ci` (only when the lockfile changed) then esbuild.
# Idempotent and fast when nothing changed: both steps are skipped via stamps.
# Output: widget/dist/clinic-chat.js (git-ignored).
set -euo pipefail
cd "$(dirname "$0")"

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

lock_hash=$(hash_of package.json package-lock.json)
if [[ ! -f node_modules/.clinic-chat-lock || "$(cat node_modules/.clinic-chat-lock)" != "$lock_hash" ]]; then
  # --ignore-scripts: no install scripts run (esbuild works without its postinstall).
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.clinic-chat-lock
fi

src_files=$(find src -type f | LC_ALL=C sort)
src_hash=$( { echo "$lock_hash"; echo "$src_files"; cat build.mjs $src_files; } | sha256sum | cut -d' ' -f1)
if [[ -f dist/clinic-chat.js && -f dist/.stamp && "$(cat dist/.stamp)" == "$src_hash" ]]; then
  echo "widget: up to date (dist/clinic-chat.js)"
  exit 0
fi
mkdir -p dist
node build.mjs
echo "$src_hash" > dist/.stamp
