#!/usr/bin/env bash
# One command from a fresh Debian machine with the .NET SDK: packages, build, lab demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/packages.sh
dotnet build Lvs.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
exec bin/lvs-lab demo "$@"
