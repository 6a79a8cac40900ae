#!/usr/bin/env bash
# Installs the Debian packages the lab and the tests use, when any is missing.
set -euo pipefail
need=()
command -v nft >/dev/null || need+=(nftables)
command -v nginx >/dev/null || need+=(nginx-light)
command -v curl >/dev/null || need+=(curl)
command -v wrk >/dev/null || need+=(wrk)
command -v ip >/dev/null || need+=(iproute2)
command -v ss >/dev/null || need+=(iproute2)
command -v pkill >/dev/null || need+=(procps)
# The UDP tests' real DNS servers and client. dnsmasq-base is the binary alone: unlike the
# dnsmasq package it brings no service, so nothing starts a resolver in the root namespace.
command -v dnsmasq >/dev/null || [[ -x /usr/sbin/dnsmasq ]] || need+=(dnsmasq-base)
command -v dig >/dev/null || need+=(bind9-dnsutils)
# The VRRP interop tests run Debian's keepalived (VRRP only, inside test namespaces) as our peer.
command -v keepalived >/dev/null || [[ -x /usr/sbin/keepalived ]] || need+=(keepalived)
# The dashboard's browser test: Playwright drives Debian's chromium (no browser download).
command -v chromium >/dev/null || need+=(chromium)
# The IPv6 topology tests ping across the lab (ICMPv6 echo).
command -v ping >/dev/null || need+=(iputils-ping)
# lvs-lab bench: iperf3 on the real servers and the client, HAProxy and nginx's stream module
# as the user-space balancers it compares lvsd with (the bench runs its own instances in namespaces).
command -v iperf3 >/dev/null || need+=(iperf3)
command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || need+=(haproxy)
[[ -e /usr/lib/nginx/modules/ngx_stream_module.so ]] || need+=(libnginx-mod-stream)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing Debian packages: ${need[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
