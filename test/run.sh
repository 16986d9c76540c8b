#!/usr/bin/env bash
# Run every test against one or more build directories and print one summary.
#
#   test/run.sh BUILD [BUILD ...]
#
# Each test program prints one line per case, "PASS name" or "FAIL name ...";
# a program that exits non-zero without printing a FAIL line (a crash, a
# sanitizer report) counts as one failure. The last line is
# "N passed, M failed"; the exit status is non-zero when M > 0.
set -u
cd "$(dirname "$0")/.."
export TUNSEC_SRCDIR=$PWD
PY=/usr/bin/python3    # Debian's python, where python3-scapy is installed
passed=0
failed=0
failed_names=()
logdir=$(mktemp -d /tmp/tunsec-test.XXXXXX)
trap 'rm -rf "$logdir"' EXIT

# run LABEL CMD...: run one test program and count its lines.
run() {
	local label=$1; shift
	local log="$logdir/out" rc p f
	"$@" >"$log" 2>"$logdir/err"
	rc=$?
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL $label (exit $rc, no case reported)" >>"$log"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL $label (ran no case)" >>"$log"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	sed "s|^|[$label] |" "$log"
	if [ "$f" -gt 0 ]; then
		failed_names+=("$label")
		sed "s|^|[$label stderr] |" "$logdir/err" | tail -n 40
	fi
}

for build in "$@"; do
	case $build in
	/*) export TUNSEC_BUILD=$build ;;
	*) export TUNSEC_BUILD=$PWD/$build ;;
	esac
	tag=$(basename "$build")
	[ "$tag" = build ] && tag=opt
	[ -x "$TUNSEC_BUILD/tunsec" ] || { echo "FAIL $tag: $build/tunsec not built"; failed=$((failed + 1)); continue; }
	run "$tag unit" "$TUNSEC_BUILD/test/unit"
	for r in "$TUNSEC_BUILD"/fuzz/*-replay; do
		[ -x "$r" ] || continue
		name=$(basename "$r" -replay)
		run "$tag $name corpus" "$r" "fuzz/corpus/${name#fuzz_}"
	done
	for t in test/cli/*.sh test/netns/*.sh; do
		[ -x "$t" ] || continue
		run "$tag $(basename "$t" .sh)" "$t"
	done
	for t in test/interop/*.sh; do
		[ -x "$t" ] || continue
		run "$tag $(basename "$t" .sh)" "$t"
	done
	for t in test/interop/*.py; do
		[ -f "$t" ] || continue
		run "$tag $(basename "$t" .py)" "$PY" "$t"
	done
done

if [ "${#failed_names[@]}" -gt 0 ]; then
	echo "failed in: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
