#!/usr/bin/env bash
# npm run lock:python: makes each scripts/local-cloud/conf/requirements-<tool>.txt from its .in (the tools the local
# cloud and the checks install from PyPI), every package and dependency pinned with the hashes of its files
# (pip-compile --generate-hashes). The local cloud installs them with pip --require-hashes. Run it after changing a .in.
set -euo pipefail
cd "$(dirname "$0")/conf"
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/pip" install -q --disable-pip-version-check 'pip-tools==7.7.0'
for input in requirements-*.in; do
  CUSTOM_COMPILE_COMMAND="npm run lock:python" "$tools/bin/pip-compile" -q --no-emit-find-links --generate-hashes \
    --allow-unsafe --strip-extras --output-file "${input%.in}.txt" "$input"
  echo "locked ${input%.in}.txt: $(grep -c '==' "${input%.in}.txt") packages"
done
