#!/bin/sh
# Install the Debian packages that building, testing, the demo and the
# benchmarks need. Idempotent: returns at once when everything is present.
set -eu

# The last two lines are bench/tunnel.sh's comparison peers: strongSwan's
# user-space ESP (charon-systemd with kernel-libipsec; the gcm, openssl and
# aesni plugins are in libstrongswan-standard-plugins) and wireguard-go.
# Without --no-install-recommends (used below), wireguard-tools would pull
# in a kernel image.
PKGS="build-essential clang libssl-dev libipsec-mb-dev libpcap-dev \
python3 python3-scapy python3-cryptography tshark tcpdump iperf3 \
iproute2 iputils-ping ethtool nftables conntrack procps gnuplot-nox \
strongswan strongswan-swanctl charon-systemd libcharon-extra-plugins \
libstrongswan-extra-plugins libstrongswan-standard-plugins wireguard-go wireguard-tools"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
