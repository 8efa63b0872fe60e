#!/usr/bin/env bash
# The main job: set up, then run the default guest.
# Until a guest can execute, this starts the seed's machine paused and prints its vCPUs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec ./bin/tsqemu-system-x86_64 -version
