#!/usr/bin/env bash
# IKEv2 handshakes per second and per CPU-second of the responder, tunsecd
# against strongSwan's charon, in one sitting on the two-host lab
# (test/netns/lib.sh). The same initiator load (build/bench/ike_load: tunsec's
# IKE engine as many initiators) runs against each responder in turn; each
# handshake is IKE_SA_INIT + IKE_AUTH with a tunnel-mode Child SA, PSK
# authentication, IKE aes256gcm16-prfsha256-x25519, ESP aes256gcm16, then a
# DELETE of the IKE SA (RFC 7296 §1.2, §1.4.1). A benchmark, not a test: no
# number makes it fail.
#
#  ns $A  (initiators)                          ns $B  (the responder)
#  ike_load: P worker processes,                tunsecd (N [peer]s, start=wait)
#   C slots, slot k from 10.201.0.(100 + k%N)    or charon-systemd (one conn,
#  ua 10.201.0.1/24 + 10.201.0.100..(100+N-1)    remote_addrs 10.201.0.0/24,
#                                                unique = never)
#                                               lo 10.88.2.1/32
#     ==== IKE udp/500, then udp/4500 with the non-ESP marker ====
#  ua ---------------------------------------------------------------- ub
#                                               10.201.0.2/24
#
#   bench/ike_handshake.sh BUILD [--quick] [--runs N] [--seconds S]
#                          [--warmup S] [--parallel C] [--addresses N]
#                          [--workers P] [--only REGEX] [--out DIR]
#
#   --quick         1 run of 3 s (1 s warm-up) per responder
#   --runs N        rounds (default 3); each reports the median
#   --seconds S     measured window per run (default 10), after
#   --warmup S      a warm-up (default 2)
#   --parallel C    handshakes in flight (default 16)
#   --addresses N   initiator source addresses (default: C, one per slot)
#   --workers P     initiator processes (default 1)
#   --only REGEX    only the responders (tunsec, swan) whose id matches
#
# Rounds are interleaved (tunsec then swan, then swan then tunsec, ...) and
# each run starts its responder afresh. The responder's CPU time is utime +
# stime of /proc/PID/stat over the measured window, for every process of it
# (tunsecd and its keys process; charon with all its threads). Writes
# ike_handshake.json and ike_handshake.md into the output directory and
# prints the latter.
#
# Both responders work under the same rules: no cookies (RFC 7296 §2.6)
# and no per-address refusal. Each source address holds at most one
# half-open IKE SA and C stays below tunsecd's cookie threshold
# (IKE_COOKIE_THRESHOLD, src/ike/cookie.h); charon's DoS protection is off
# (its defaults would ask cookies from 10 half-open SAs on and block an
# address past 5). Each logs its one-line-per-SA events (tunsecd at info,
# charon at level 0); each installs the Child SA into its data plane
# (tunsecd's workers, charon's kernel-libipsec) and removes it on DELETE.
#
# Politeness: everything runs in the lab namespaces, bounded by timeout;
# lab_cleanup (on exit, ^C, TERM) kills every lab process and deletes the
# namespaces and the scratch directory with the configurations and the key.
set -u
TUNSEC_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
TUNSEC_BUILD=$(cd "${1:-build}" 2>/dev/null && pwd) ||
	{ echo "usage: $0 BUILD [options]" >&2; exit 2; }
export TUNSEC_SRCDIR TUNSEC_BUILD
shift

HS_RUNS=3
HS_SECS=10
HS_WARMUP=2
HS_PARALLEL=16
HS_ADDRS=
HS_WORKERS=1
HS_ONLY=
HS_OUT=$TUNSEC_SRCDIR/bench/results
while [ $# -gt 0 ]; do
	case $1 in
	--quick) HS_RUNS=1 HS_SECS=3 HS_WARMUP=1; shift ;;
	--runs) HS_RUNS=$2; shift 2 ;;
	--seconds) HS_SECS=$2; shift 2 ;;
	--warmup) HS_WARMUP=$2; shift 2 ;;
	--parallel) HS_PARALLEL=$2; shift 2 ;;
	--addresses) HS_ADDRS=$2; shift 2 ;;
	--workers) HS_WORKERS=$2; shift 2 ;;
	--only) HS_ONLY=$2; shift 2 ;;
	--out) HS_OUT=$2; shift 2 ;;
	*) echo "$0: unknown option $1" >&2; exit 2 ;;
	esac
done
HS_ADDRS=${HS_ADDRS:-$HS_PARALLEL}
if [ "$HS_ADDRS" -lt 1 ] || [ "$HS_ADDRS" -gt 150 ]; then
	echo "$0: --addresses must be 1..150 (10.201.0.100 and up)" >&2
	exit 2
fi

# shellcheck source=../test/netns/lib.sh
. "$TUNSEC_SRCDIR/test/netns/lib.sh"
# shellcheck source=../test/netns/tunsecd_lib.sh
. "$TUNSEC_SRCDIR/test/netns/tunsecd_lib.sh"
# shellcheck source=../test/interop/swan_lib.sh
. "$TUNSEC_SRCDIR/test/interop/swan_lib.sh"

HS_LOAD=$TUNSEC_BUILD/bench/ike_load
HS_FIRST=10.201.0.100 # the initiators' first source address
HS_TS_A=10.88.1.0/24  # the Child SA's selectors: A's side
HS_TS_B=10.88.2.0/24  #                           B's side
HS_IKE=aes256gcm16-prfsha256-x25519
HS_ESP=aes256gcm16
# A responder lives for one run (warm-up, window, drain) plus a margin.
# The SWAN_ and TSD_ settings are read by swan_lib.sh and tunsecd_lib.sh.
# shellcheck disable=SC2034
TSD_LIFETIME=$((HS_WARMUP + HS_SECS + 60))
# shellcheck disable=SC2034
SWAN_LIFETIME=$TSD_LIFETIME
# shellcheck disable=SC2034
SWAN_LOG_LEVELS=${HS_SWAN_LOG:-default=0} # e.g. "default=1 ike=2 knl=2"
# shellcheck disable=SC2034
SWAN_CHARON_EXTRA="dos_protection = no"
TSD_ARGS="--log-level info"

[ -x "$HS_LOAD" ] || lab_die "$HS_LOAD is not built (make BUILD=... all $HS_LOAD)"

# ---------------------------------------------------------------- lab

# hs_addr K: the initiators' K-th source address.
hs_addr() { echo "10.201.0.$((100 + $1))"; }

hs_lab() {
	local k
	lab_up --mtu 1500
	for ((k = 0; k < HS_ADDRS; k++)); do
		ip -n "$A" addr add "$(hs_addr "$k")/32" dev ua || lab_die "address $k"
	done
	# charon routes the Child SA's remote_ts via ipsec0 from an address
	# of its local_ts.
	ip -n "$B" addr add 10.88.2.1/32 dev lo || lab_die "10.88.2.1 on B"
	HS_PSK=$(tsd_random_hex 32)
	(umask 077 && echo "$HS_PSK" >"$LAB_TMP/psk.hex")
}

# hs_tunsec_conf: tunsecd on B, one [peer] per initiator address.
hs_tunsec_conf() {
	local k f=$LAB_TMP/b.conf
	{
		printf '[daemon]\nlocal-address = %s\ncontrol-socket = %s\ntun = %s\n' \
			"$LAB_B4" "$LAB_TMP/b.sock" "$TSD_TUN"
		for ((k = 0; k < HS_ADDRS; k++)); do
			printf '\n[peer i%d]\naddress = %s\nmode = tunnel\n' "$k" "$(hs_addr "$k")"
			printf 'protect = local %s remote %s\nauth = psk\npsk = 0x%s\n' \
				"$HS_TS_B" "$HS_TS_A" "$HS_PSK"
			printf 'ike-proposals = %s\nesp-proposals = %s\nstart = wait\n' "$HS_IKE" "$HS_ESP"
		done
	} >"$f"
	chmod 600 "$f"
}

# hs_swan_secret: the key bound to every initiator identity. charon looks
# the key up by both identities before its own is settled ('%any'), so a
# key bound to its own identity alone (swan_conn with remote_id=%any) is
# not found.
hs_swan_secret() {
	local k f
	f=$(swan_dir b)/secrets/load.conf
	{
		echo "ike-load {"
		for ((k = 0; k < HS_ADDRS; k++)); do
			echo "id-$k = $(hs_addr "$k")"
		done
		echo "secret = 0x$HS_PSK"
		echo "}"
	} >"$f"
	chmod 600 "$f"
	swan_load b
}

# hs_tree PID: PID and every descendant of it.
hs_tree() {
	local c kids=()
	echo "$1"
	# Each file lists pids, each followed by a blank, without a newline.
	read -r -a kids < <(cat /proc/"$1"/task/*/children 2>/dev/null)
	for c in "${kids[@]}"; do
		hs_tree "$c"
	done
}

# hs_start ID: the responder up; its pids in HS_PIDS. Status 1 with
# HS_WHY when it did not come up.
hs_start() {
	HS_PIDS=() HS_WHY=
	case $1 in
	tunsec)
		hs_tunsec_conf
		tsd_start b || { HS_WHY="tunsecd did not start"; return 1; }
		mapfile -t HS_PIDS < <(hs_tree "${TSD_PID[b]}") ;;
	swan)
		swan_start b "$B" || { HS_WHY="charon: $SWAN_ERR"; return 1; }
		if ! swan_conn b load local="$LAB_B4" remote=10.201.0.0/24 remote_id=%any \
			psk="0x$HS_PSK" local_ts="$HS_TS_B" remote_ts="$HS_TS_A" \
			ike="$HS_IKE" esp="$HS_ESP" unique=never mobike=no ||
			! hs_swan_secret; then
			HS_WHY="swanctl: $SWAN_ERR"
			swan_stop b
			return 1
		fi
		mapfile -t HS_PIDS < <(hs_tree "${SWAN_PID[b]}") ;;
	esac
}

# hs_left ID: IKE SAs the responder still holds after the load.
hs_left() {
	case $1 in
	tunsec) tsd_query b "len(j.get('ike_sas', []))" 2>/dev/null ;;
	swan) swan_sa_count b ike 2>/dev/null ;;
	esac
}

hs_stop() {
	case $1 in
	tunsec) tsd_stop b ;;
	swan) swan_stop b ;;
	esac
}

# hs_run ID ROUND: one run against responder ID; its JSON line appended to
# $LAB_TMP/runs.jsonl (with "invalid" when it could not be measured).
hs_run() {
	local id=$1 r=$2 out=$LAB_TMP/run-$1-$2.json args=() p left
	if ! hs_start "$id"; then
		printf '{"label": "%s", "round": %d, "invalid": "%s"}\n' "$id" "$r" "$HS_WHY" \
			>>"$LAB_TMP/runs.jsonl"
		return
	fi
	for p in "${HS_PIDS[@]}"; do
		args+=(--cpu-pid "$p")
	done
	lab_log "$id round $r: responder pids ${HS_PIDS[*]}"
	timeout -k 2 $((HS_WARMUP + HS_SECS + 30)) ip netns exec "$A" "$HS_LOAD" \
		--local "$HS_FIRST" --addresses "$HS_ADDRS" --remote "$LAB_B4" \
		--psk-file "$LAB_TMP/psk.hex" --parallel "$HS_PARALLEL" \
		--workers "$HS_WORKERS" --warmup "$HS_WARMUP" --seconds "$HS_SECS" \
		--ike "$HS_IKE" --esp "$HS_ESP" --local-ts "$HS_TS_A" --remote-ts "$HS_TS_B" \
		--label "$id" --json "$out" ${HS_VERBOSE:+--verbose} "${args[@]}" >&2 ||
		lab_log "$id round $r: ike_load failed"
	sleep 1 # the last DELETEs
	left=$(hs_left "$id")
	hs_stop "$id" || lab_log "$id round $r: the responder did not stop cleanly"
	if [ -s "$out" ]; then
		"$LAB_PY" - "$out" "$r" "${left:-?}" >>"$LAB_TMP/runs.jsonl" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["round"] = int(sys.argv[2])
j["left"] = sys.argv[3]
if j["responder_cpu_s"] < 0:
    j["invalid"] = "the responder died during the run"
elif j["handshakes"] == 0:
    j["invalid"] = "no handshake completed"
print(json.dumps(j))
PY
	else
		printf '{"label": "%s", "round": %d, "invalid": "ike_load gave no result"}\n' \
			"$id" "$r" >>"$LAB_TMP/runs.jsonl"
	fi
}

# ---------------------------------------------------------------- report

hs_report() {
	"$LAB_PY" - "$LAB_TMP/runs.jsonl" "$HS_OUT" "$1" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
out, machine = sys.argv[2], sys.argv[3]
names = {"tunsec": "tunsecd", "swan": "strongSwan (charon)"}
med = {}
for id in ("tunsec", "swan"):
    ok = [r for r in runs if r["label"] == id and "invalid" not in r]
    bad = [r for r in runs if r["label"] == id and "invalid" in r]
    if not ok:
        if bad:
            med[id] = {"invalid": bad[0]["invalid"]}
        continue
    m = {k: statistics.median(r[k] for r in ok)
         for k in ("rate", "responder_cpu_s", "per_cpu_s", "latency_ms",
                   "generator_cpu_s", "machine_cpu_s")}
    m["runs"] = len(ok)
    m["invalid_runs"] = len(bad)
    m["failed"] = sum(r["failed"] + r["no_child"] for r in ok)
    m["retransmits"] = sum(r["retransmits"] for r in ok)
    m["left"] = [r["left"] for r in ok]
    med[id] = m
ratio = {}
if "rate" in med.get("tunsec", {}) and "rate" in med.get("swan", {}):
    for k in ("rate", "per_cpu_s"):
        ratio[k] = med["tunsec"][k] / med["swan"][k] if med["swan"][k] else None
first = next((r for r in runs if "invalid" not in r), {})
lines = ["# IKEv2 handshakes: tunsecd vs strongSwan as responder", "",
         machine, "",
         "Load: %s handshakes in flight from %s source addresses, %s initiator "
         "process(es); %s s measured after %s s of warm-up; median of %s "
         "run(s). Each handshake: IKE_SA_INIT + IKE_AUTH (PSK, "
         "aes256gcm16-prfsha256-x25519, Child SA aes256gcm16 tunnel), then "
         "DELETE." % (first.get("parallel", "?"), first.get("addresses", "?"),
                      first.get("workers", "?"), first.get("seconds", "?"),
                      first.get("warmup_s", "?"),
                      max((m.get("runs", 0) for m in med.values()), default=0)),
         "",
         "| responder | handshakes/s | responder CPU s | handshakes per CPU-second | "
         "latency ms | initiator CPU s | machine CPU s | failed | retransmits |",
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for id in ("tunsec", "swan"):
    m = med.get(id)
    if m is None:
        continue
    if "invalid" in m:
        lines.append("| %s | invalid: %s | | | | | | | |" % (names[id], m["invalid"]))
        continue
    lines.append("| %s | %.0f | %.2f | %.0f | %.1f | %.2f | %.2f | %d | %d |" % (
        names[id], m["rate"], m["responder_cpu_s"], m["per_cpu_s"],
        m["latency_ms"], m["generator_cpu_s"], m["machine_cpu_s"],
        m["failed"], m["retransmits"]))
lines.append("")
if ratio:
    lines.append("tunsecd / strongSwan: handshakes/s x%.2f, handshakes per "
                 "responder CPU-second x%.2f. Target (tunsec ahead): %s." % (
                     ratio["rate"], ratio["per_cpu_s"],
                     "met" if ratio["per_cpu_s"] > 1 else "not met"))
else:
    lines.append("No ratio: a responder has no valid run.")
lines.append("")
lines.append("Every run: " + "; ".join(
    "%s r%s %s" % (r["label"], r.get("round"),
                   r["invalid"] if "invalid" in r else
                   "%.0f/s %.2f CPU-s %.0f/CPU-s left %s" % (
                       r["rate"], r["responder_cpu_s"], r["per_cpu_s"], r["left"]))
    for r in runs) + ".")
md = "\n".join(lines) + "\n"
open(out + "/ike_handshake.md", "w").write(md)
json.dump({"runs": runs, "median": med, "ratio": ratio},
          open(out + "/ike_handshake.json", "w"), indent=1)
print(md)
PY
}

# ---------------------------------------------------------------- main

if why=$(swan_missing); then
	lab_log "strongSwan missing: $why (its rows will say so)"
	HS_NOSWAN=$why
fi
mkdir -p "$HS_OUT" || lab_die "mkdir $HS_OUT"
machine="Machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r), load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)."
hs_lab
: >"$LAB_TMP/runs.jsonl"
for ((r = 1; r <= HS_RUNS; r++)); do
	order="tunsec swan"
	[ $((r % 2)) = 0 ] && order="swan tunsec"
	for id in $order; do
		[ -n "$HS_ONLY" ] && ! [[ $id =~ $HS_ONLY ]] && continue
		if [ "$id" = swan ] && [ -n "${HS_NOSWAN:-}" ]; then
			printf '{"label": "swan", "round": %d, "invalid": "unavailable: %s"}\n' \
				"$r" "$HS_NOSWAN" >>"$LAB_TMP/runs.jsonl"
			continue
		fi
		hs_run "$id" "$r"
	done
done
hs_report "$machine"
exit 0
