#!/usr/bin/env bash
# The custom-task example as a user runs it (docs/extending.md): a separate package that depends on
# engram through a file: path. Installs it, type-checks its task against engram's built type
# declarations, checks the task's contract, trains an LSTM on it for a few seconds and evaluates
# it, then uses the built library from plain Node.
#   bash scripts/check/example.sh
set -euo pipefail
cd "$(dirname "$0")/../../examples/custom-task"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
npm install --no-audit --no-fund --no-package-lock
npx tsc --noEmit -p .
npx engram check ./reversal.ts
npx engram run ./spec.json --out "$out/reversal-lstm" --plain
node library.mjs
echo "example: passed"
