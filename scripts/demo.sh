#!/usr/bin/env bash
# One command from a fresh Debian machine with the .NET SDK: packages, build, lab demo.
set -euo pipefail
cd "$(dirname "$0")/.."
# The lab needs root (namespaces, packet sockets, nftables): ask for it once, up front.
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "run this as root (the lab builds network namespaces)" >&2; exit 1; }
  exec sudo --preserve-env=PATH,DOTNET_ROOT,HOME "$0" "$@"
fi
bash scripts/packages.sh
dotnet build Lvs.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
exec bin/lvs-lab demo "$@"
