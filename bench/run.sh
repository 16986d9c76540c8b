#!/usr/bin/env bash
# Run the benchmarks (not tests) and keep their output under bench/results/.
#
#   bench/run.sh BUILD [--quick]
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
