#!/usr/bin/env bash
# Builds everything and runs every test project. Tests that need root (network namespaces,
# packet sockets, nftables) skip themselves with a message when not root.
set -uo pipefail
cd "$(dirname "$0")/.."
dotnet build Lvs.slnx -c Release -nologo -v quiet -clp:ErrorsOnly || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test Lvs.slnx -c Release --no-build -nologo 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# dotnet test prints one summary per test project; add them up into one closing line.
awk '
  /(Passed|Failed)! +- +Failed:/ {
    gsub(",", ""); for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1)
    }
  }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$rc"
