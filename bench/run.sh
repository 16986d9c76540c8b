#!/usr/bin/env bash
# Run the benchmarks (not tests) and keep their output under bench/results/.
#
#   bench/run.sh BUILD [--quick]
#
# esp_crypt: the ESP transform alone. tunnel.sh: TCP through the tunnel on
# the two-host lab (needs root; bounded to 15 minutes).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
quick=${2:-}
out=bench/results
mkdir -p "$out"
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)

{
	echo "# esp_crypt — $stamp"
	echo
	echo "Machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
	echo
	"$build/bench/esp_crypt" ${quick:+--quick} --json "$out/esp_crypt.json"
} | tee "$out/esp_crypt.md"

echo
if [ "$(id -u)" -ne 0 ]; then
	echo "tunnel: skipped (the two-host lab needs root)"
	exit 0
fi
timeout -k 10 900 bench/tunnel.sh "$build" ${quick:+--quick} --out "$out"
