#!/usr/bin/env bash
# Runs every benchmark suite at tiny sizes so the benchmark code keeps compiling and working; exits non-zero when it
# fails to build, a request fails or a watch loses events. Missed targets do not fail it (smoke sizes measure nothing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
exec dotnet run -c Release --project bench/Gantry.Bench -- all --smoke
