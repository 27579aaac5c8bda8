#!/usr/bin/env bash
# First step of "npm start" and "npm test": check Node and install the workspace's
# dependencies from the lockfile when they are missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

required="20.19.0"
current="$(node -p 'process.versions.node')"
if [ "$(printf '%s\n%s\n' "$required" "$current" | sort -V | head -n1)" != "$required" ]; then
  echo "Node.js >= $required is required (found $current). Install Node 20.19+ or 22, then run this again." >&2
  exit 1
fi

# node_modules/.package-lock.json is what npm wrote at the last install; older than the lockfile means stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing dependencies (npm ci) ..."
  npm ci --no-audit --no-fund --loglevel=error
fi
