#!/usr/bin/env bash
# Runs all the tests, after installing what they need.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/run-tests.mjs "$@"
