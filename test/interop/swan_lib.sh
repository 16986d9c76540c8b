# shellcheck shell=bash disable=SC2034 # variables are for the sourcing tests
# strongSwan as the IKEv2/ESP peer of interoperability tests in the two-host
# lab. Sourced after test/netns/lib.sh (and lab_up); not executable on
# purpose. Each instance is one charon-systemd (Debian strongswan 5.9) in a
# lab namespace, driven through its own vici socket with swanctl, and seen
# through a small vici client (swan_query) that turns `list-sas` into
# python values a test can assert on.
#
#  ns $A                                          ns $B
#  charon-systemd  (swan_start x "$A")            tunsecd, or a second charon
#   ipsec0 (TUN, kernel-libipsec: ESP in user space)
#   routes to remote_ts via ipsec0 (table 220)
#   $LAB_TMP/swan-x/{strongswan.conf,swanctl.conf,charon.vici,charon.log}
#  ua 10.201.0.1  ======= IKE udp/500, then IKE + ESP in udp/4500 =======  ub
#
# What strongSwan can be here: these kernels have no ESP (no XFRM SAs), so
# charon runs its own user-space ESP, the kernel-libipsec plugin. That means
#   - tunnel mode only (a transport mode Child SA fails to install,
#     "IPsec SA: unsupported mode");
#   - ESP always in UDP (RFC 3948): every connection is written with
#     `encap = yes`, which also makes charon send the NAT_DETECTION payloads
#     that claim a NAT (RFC 7296 §2.23), so the peer floats to port 4500;
#   - the protected traffic enters and leaves through the TUN device ipsec0:
#     charon routes each Child SA's remote_ts into ipsec0 (routing table 220,
#     rule priority 220) with, as source, a local address inside local_ts.
#     The test must put an address of local_ts on the host itself, e.g.
#       ip -n "$A" addr add 10.202.1.1/32 dev lo
#     and send between such inner addresses. Add the address before
#     loading a connection that installs anything at load time (start=trap,
#     start=start): without it charon finds "no local address in traffic
#     selector" and fails the route. Selectors must not cover the IKE
#     peer's own (underlay) address: the route into ipsec0 would swallow
#     IKE and ESP themselves;
#   - no extended sequence numbers: libipsec refuses to install an ESN SA
#     ("IPsec SA: ESN not supported"). Whenever ESN gets selected the Child
#     SA fails (charon as responder answers NO_PROPOSAL_CHOSEN after
#     selecting it, and it selects ESN whenever its own proposal lists esn
#     first). Give charon ESP proposals without -esn; as initiator
#     "aes256gcm16-esn-noesn" works only when the responder picks no ESN;
#   - no start=trap: the policy and its route are installed, but libipsec
#     raises no acquire; packets are dropped ("could not find an outbound
#     IPsec SA for reqid"). Use start=start or swan_initiate.
# Known to work swan<->swan here: ESP aes256gcm16, aes128gcm16, aes128ccm8,
# chacha20poly1305 (and with a DH group for PFS), IKE
# aes256gcm16-prfsha256-x25519, PSK and ECDSA P-256 certificates, Child
# and IKE SA rekeys by command and by lifetime, terminate.
#
# strongSwan quirks a test meets:
#   - a responder picks the peer config by addresses and identities first
#     and only then looks at traffic selectors: two connections between the
#     same two hosts need distinct identities, or the second one's Child SA
#     fails with TS_UNACCEPTABLE against the first one's config;
#   - over_time (how long an IKE SA may outlive rekey_time) defaults to
#     10% of rekey_time. With ike_rekey_time=9s and that default, the IKE
#     rekey was seen to delete the new IKE SA along with the old one (a
#     delete task migrated to it); ike_over_time=5s avoided it. Give short
#     rekey times a few seconds of over_time, and child_life_time well
#     above child_rekey_time;
#   - just after a Child SA rekey the old SA stays listed (state DELETED or
#     REKEYED) for a few seconds: child() picks the newest INSTALLED one.
#
# Politeness: everything lives under $LAB_TMP/swan-NAME; charon is started
# with lab_bg (bounded by timeout, SWAN_LIFETIME seconds) inside a lab
# namespace, so lab_cleanup kills it on every exit even without swan_stop.
# charon loads exactly the plugins listed in SWAN_PLUGINS (load_modular =
# no): nothing touches the host outside the namespace (no resolve, no
# updown, no pid file; NOTIFY_SOCKET is removed from its environment).
#
# Functions return 0 on success; on failure they return 1 and leave the
# reason in SWAN_ERR (swanctl's error lines or the tail of charon.log);
# swanctl's whole output is in SWAN_OUT.

SWAN_CHARON=${SWAN_CHARON:-/usr/sbin/charon-systemd}
SWAN_SWANCTL=${SWAN_SWANCTL:-/usr/sbin/swanctl}
SWAN_LIFETIME=${SWAN_LIFETIME:-120}    # bound on one charon's run, seconds
SWAN_CMD_TIMEOUT=${SWAN_CMD_TIMEOUT:-20} # bound on one swanctl call
# The order matters: kernel-libipsec before kernel-netlink makes it the
# IPsec backend; kernel-netlink still handles addresses and routes.
# chapoly is Debian's name of the ChaCha20-Poly1305 plugin (openssl also
# provides it). pem/pkcs1/pkcs8/x509/pubkey read certificates and keys.
SWAN_PLUGINS=${SWAN_PLUGINS:-"random nonce drbg openssl aes gcm ccm chapoly sha1 sha2 hmac kdf curve25519 pem pkcs1 pkcs8 x509 pubkey constraints kernel-libipsec kernel-netlink socket-default vici"}
# Retransmission in the lab: 1 s, then x1.4, 3 tries (about 7 s in all)
# rather than charon's 4 s x1.8, 5 tries (165 s) when the peer is silent.
SWAN_RETRANSMIT_TIMEOUT=${SWAN_RETRANSMIT_TIMEOUT:-1.0}
SWAN_RETRANSMIT_BASE=${SWAN_RETRANSMIT_BASE:-1.4}
SWAN_RETRANSMIT_TRIES=${SWAN_RETRANSMIT_TRIES:-3}
# Log levels of charon.log (0..3; level 4 would log key material).
SWAN_LOG_LEVELS=${SWAN_LOG_LEVELS:-"default=1 ike=2 cfg=2 knl=2 enc=1 esp=1 net=1 chd=2"}
SWAN_CHARON_EXTRA=${SWAN_CHARON_EXTRA:-} # lines appended to charon-systemd { }

declare -A SWAN_NS   # NAME -> namespace
declare -A SWAN_WRAP # NAME -> pid of the timeout wrapper (lab_bg)
declare -A SWAN_PID  # NAME -> pid of charon itself
SWAN_ERR= # why the last function failed
SWAN_OUT= # swanctl's whole output of the last command run by a function

# ---------------------------------------------------------------- helpers

# swan_missing: why strongSwan cannot run here (one line), or nothing with
# status 1 when everything is installed. Tests skip on its output.
swan_missing() {
	local f m=
	for f in "$SWAN_CHARON" "$SWAN_SWANCTL"; do
		[ -x "$f" ] || m="$m $f"
	done
	for f in $SWAN_PLUGINS; do
		[ -e "/usr/lib/ipsec/plugins/libstrongswan-$f.so" ] || m="$m plugin:$f"
	done
	[ -z "$m" ] && return 1
	echo "not installed:$m (Debian: strongswan-swanctl charon-systemd libcharon-extra-plugins libstrongswan-extra-plugins)"
}

# swan_dir NAME: the directory of instance NAME.
swan_dir() { echo "$LAB_TMP/swan-$1"; }

# _swan_check_name NAME: NAME is a plain word (it becomes a path and a key).
_swan_check_name() {
	[[ $1 =~ ^[A-Za-z0-9_-]+$ ]] && return 0
	SWAN_ERR="bad name '$1' (letters, digits, _ and - only)"
	return 1
}

# _swan_lab_ns NS: NS is one of this run's lab namespaces (so lab_cleanup
# will kill what runs in it).
_swan_lab_ns() {
	local ns
	for ns in "${LAB_NAMESPACES[@]}"; do
		[ "$ns" = "$1" ] && return 0
	done
	SWAN_ERR="$1 is not a namespace of this lab run"
	return 1
}

# swan_ctl NAME ARGS...: swanctl ARGS against instance NAME (bounded by
# SWAN_CMD_TIMEOUT); its output on stdout, its status returned. swanctl
# runs in the root namespace: it only talks to the vici socket file.
swan_ctl() {
	local d
	d=$(swan_dir "$1")
	shift
	STRONGSWAN_CONF=$d/strongswan.conf SWANCTL_DIR=$d \
		timeout -k 2 "$SWAN_CMD_TIMEOUT" "$SWAN_SWANCTL" "$@" --uri "unix://$d/charon.vici" 2>&1
}

# _swan_why OUTPUT: the lines of swanctl's OUTPUT that say what failed.
_swan_why() {
	grep -iE 'fail|invalid|error|not supported|unknown|no such|timeout|not found' <<<"$1" |
		head -n 4 | tr '\n' ' '
}

# _swan_ctl_ok NAME WHAT ARGS...: swan_ctl NAME ARGS; on failure SWAN_ERR
# says "WHAT: why" and the status is 1. The output is kept in SWAN_OUT.
_swan_ctl_ok() {
	local name=$1 what=$2
	shift 2
	if SWAN_OUT=$(swan_ctl "$name" "$@"); then
		return 0
	fi
	SWAN_ERR="$what ($name): $(_swan_why "$SWAN_OUT")"
	[ "$SWAN_ERR" = "$what ($name): " ] && SWAN_ERR="$what ($name): $(tail -n 2 <<<"$SWAN_OUT" | tr '\n' ' ')"
	return 1
}

# ---------------------------------------------------------------- daemon

# _swan_write_conf DIR: DIR/strongswan.conf (charon-systemd and swanctl) and
# the top of DIR/swanctl.conf, which includes one file per connection.
_swan_write_conf() {
	local d=$1 lv levels=
	for lv in $SWAN_LOG_LEVELS; do
		levels="$levels      ${lv%%=*} = ${lv#*=}
"
	done
	cat >"$d/strongswan.conf" <<-EOF
		# charon-systemd of one lab run: plugins listed, nothing modular.
		charon-systemd {
		  load = $SWAN_PLUGINS
		  load_modular = no
		  install_routes = yes
		  retransmit_timeout = $SWAN_RETRANSMIT_TIMEOUT
		  retransmit_base = $SWAN_RETRANSMIT_BASE
		  retransmit_tries = $SWAN_RETRANSMIT_TRIES
		  journal {
		    default = -1
		  }
		  filelog {
		    lab {
		      path = $d/charon.log
		      time_format = %T
		      ike_name = yes
		      append = yes
		      flush_line = yes
		$levels    }
		  }
		  plugins {
		    vici {
		      socket = unix://$d/charon.vici
		    }
		  }
		  $SWAN_CHARON_EXTRA
		}
		swanctl {
		  load = pem pkcs1 pkcs8 x509 pubkey openssl
		  socket = unix://$d/charon.vici
		}
	EOF
	cat >"$d/swanctl.conf" <<-EOF
		# One file per connection (swan_conn), loaded together: swanctl
		# unloads what --load-all does not find.
		connections {
		  include conns/*.conf
		}
		secrets {
		  include secrets/*.conf
		}
	EOF
}

_swan_sock_ready() { [ -S "$1" ] || ! kill -0 "$2" 2>/dev/null; }

# swan_start NAME NS: a charon-systemd called NAME in lab namespace NS,
# configured under $LAB_TMP/swan-NAME (log: charon.log there), bounded by
# SWAN_LIFETIME seconds; waits up to 10 s for its vici socket. No
# connection is loaded yet (swan_conn). Status 1 with SWAN_ERR when it did
# not come up. Call it from the test's shell, not inside $(...).
swan_start() {
	local name=$1 ns=$2 d sub
	SWAN_ERR=
	_swan_check_name "$name" && _swan_lab_ns "$ns" || return 1
	if [ -n "${SWAN_PID[$name]:-}" ] && kill -0 "${SWAN_PID[$name]}" 2>/dev/null; then
		SWAN_ERR="charon $name already runs"
		return 1
	fi
	d=$(swan_dir "$name")
	if [ "${#d}" -gt 96 ]; then # sun_path holds 108 bytes
		SWAN_ERR="vici socket path too long: $d/charon.vici"
		return 1
	fi
	for sub in conns secrets x509 x509ca x509crl x509ocsp x509aa x509ac pubkey private \
		rsa ecdsa bliss pkcs8 pkcs12; do
		mkdir -p "$d/$sub"
	done
	chmod 700 "$d" "$d/secrets" "$d/private"
	_swan_write_conf "$d"
	rm -f "$d/charon.vici"
	echo "--- start $(date +%T.%N)" >>"$d/charon.log"
	lab_bg -t "$SWAN_LIFETIME" "$ns" env -u NOTIFY_SOCKET STRONGSWAN_CONF="$d/strongswan.conf" \
		"$SWAN_CHARON" 2>>"$d/charon.stderr"
	SWAN_WRAP[$name]=$LAB_PID SWAN_NS[$name]=$ns SWAN_PID[$name]=
	if ! _lab_poll 10 _swan_sock_ready "$d/charon.vici" "$LAB_PID" || ! [ -S "$d/charon.vici" ]; then
		SWAN_ERR="charon $name opened no vici socket: $(tail -n 3 "$d/charon.log" "$d/charon.stderr" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi
	SWAN_PID[$name]=$(_swan_child "$LAB_PID")
}

# _swan_child WRAPPER: the pid the lab_bg wrapper runs (as tsd_child of
# tunsecd_lib.sh, which a strongSwan-only script need not source).
_swan_child() {
	local c=
	read -r c _ <"/proc/$1/task/$1/children" 2>/dev/null
	[ -n "$c" ] && echo "$c"
}

# swan_alive NAME: charon NAME still runs.
swan_alive() {
	[ -n "${SWAN_PID[$1]:-}" ] && kill -0 "${SWAN_PID[$1]}" 2>/dev/null
}

# swan_stop NAME: SIGTERM to charon, up to 5 s for the exit, then SIGKILL.
# On SIGTERM charon sends a DELETE for each IKE SA (without waiting for the
# answer) and removes its routes and ipsec0. Status 1 when it had to be
# killed or was not running.
swan_stop() {
	local name=$1 rc=0
	[ -n "${SWAN_WRAP[$name]:-}" ] || { SWAN_ERR="charon $name not started"; return 1; }
	if swan_alive "$name"; then
		kill -TERM "${SWAN_PID[$name]}" 2>/dev/null
	else
		SWAN_ERR="charon $name was not running" rc=1
	fi
	if ! lab_wait_pid "${SWAN_WRAP[$name]}" 5; then
		SWAN_ERR="charon $name ignored SIGTERM: killed" rc=1
		kill -KILL "${SWAN_PID[$name]}" 2>/dev/null
		lab_wait_pid "${SWAN_WRAP[$name]}" 5 || kill -KILL "${SWAN_WRAP[$name]}" 2>/dev/null
	fi
	rm -f "$(swan_dir "$name")/charon.vici"
	SWAN_WRAP[$name]='' SWAN_PID[$name]=''
	return "$rc"
}

# swan_log NAME [LINES]: the last LINES (default 30) of charon NAME's log,
# on stderr (for a failing case).
swan_log() {
	lab_log "tail of charon $1 log:"
	tail -n "${2:-30}" "$(swan_dir "$1")/charon.log" >&2
}

# ---------------------------------------------------------------- connections

# The keys of swan_conn, and the swanctl.conf setting each one writes
# ("conn.", "child.", "local.", "remote." tell the section).
declare -A _SWAN_KEYS=(
	[local]=conn.local_addrs [remote]=conn.remote_addrs
	[local_port]=conn.local_port [remote_port]=conn.remote_port
	[ike]=conn.proposals [encap]=conn.encap [fragmentation]=conn.fragmentation
	[mobike]=conn.mobike [dpd_delay]=conn.dpd_delay [keyingtries]=conn.keyingtries
	[unique]=conn.unique [reauth_time]=conn.reauth_time
	[ike_rekey_time]=conn.rekey_time [ike_over_time]=conn.over_time
	[ike_rand_time]=conn.rand_time
	[local_id]=local.id [remote_id]=remote.id
	[esp]=child.esp_proposals [local_ts]=child.local_ts [remote_ts]=child.remote_ts
	[mode]=child.mode [start]=child.start_action [close]=child.close_action
	[dpd_action]=child.dpd_action [replay_window]=child.replay_window
	[child_rekey_time]=child.rekey_time [child_life_time]=child.life_time
	[child_rand_time]=child.rand_time [child_rekey_bytes]=child.rekey_bytes
	[child_life_bytes]=child.life_bytes [child_rekey_packets]=child.rekey_packets
	[child_life_packets]=child.life_packets
)

# _swan_section PREFIX: the "KEY = VALUE" lines of the options (array O of
# the caller) that go into section PREFIX, in a stable order.
_swan_section() {
	local k s
	for k in $(printf '%s\n' "${!O[@]}" | sort); do
		s=${_SWAN_KEYS[$k]:-}
		if [ -n "$s" ] && [ "${s%%.*}" = "$1" ]; then
			echo "${s#*.} = ${O[$k]}"
		elif [[ $k == x.$1.* ]]; then
			echo "${k#x."$1".} = ${O[$k]}"
		fi
	done
}

# _swan_auth SIDE: the auth lines of local or remote (array O).
_swan_auth() {
	local side=$1 auth=${O[${1}_auth]:-${O[auth]}}
	echo "auth = $auth"
	[ "$auth" = psk ] && return 0
	if [ "$side" = local ]; then
		echo "certs = ${O[cert]}"
	elif [ -n "${O[cacert]:-}" ]; then
		echo "cacerts = ${O[cacert]}"
	fi
}

# _swan_psk VALUE: VALUE as a swanctl secret: 0x/0s values as they are
# (hex, base64), anything else quoted.
_swan_psk() {
	case $1 in
	0x* | 0s*) echo "$1" ;;
	*) local v=${1//\\/\\\\}; echo "\"${v//\"/\\\"}\"" ;;
	esac
}

# _swan_write_conn FILE SECRETS CONN CHILD: the connection file and its
# secrets file from the options (array O).
_swan_write_conn() {
	local f=$1 sf=$2 conn=$3 child=$4
	{
		echo "$conn {"
		echo "version = 2"
		# Without a CERTREQ from the peer charon would not send its
		# certificate (send_cert = ifasked).
		[ "${O[auth]}" = psk ] || [ -n "${O[x.conn.send_cert]:-}" ] || echo "send_cert = always"
		_swan_section conn
		echo "local {"
		_swan_auth local
		_swan_section local
		echo "}"
		echo "remote {"
		_swan_auth remote
		_swan_section remote
		echo "}"
		echo "children {"
		echo "$child {"
		_swan_section child
		echo "}"
		if [ -n "${O[child2]:-}" ]; then
			# A second child: its own selectors, the first's
			# proposals and mode.
			echo "${O[child2]} {"
			echo "esp_proposals = ${O[esp]}"
			echo "mode = ${O[mode]}"
			echo "local_ts = ${O[child2_local_ts]}"
			echo "remote_ts = ${O[child2_remote_ts]}"
			echo "}"
		fi
		echo "}"
		echo "}"
	} >"$f"
	: >"$sf"
	chmod 600 "$sf"
	if [ -n "${O[psk]:-}" ]; then
		{
			echo "ike-$conn {"
			echo "id-local = ${O[local_id]}"
			[ "${O[remote_id]:-%any}" != %any ] && echo "id-remote = ${O[remote_id]}"
			echo "secret = $(_swan_psk "${O[psk]}")"
			echo "}"
		} >"$sf"
	fi
}

# _swan_conn_opts CONN KEY=VALUE...: the options into array O (caller's),
# defaults filled in; status 1 with SWAN_ERR on an unknown key or a
# missing one.
_swan_conn_opts() {
	local conn=$1 kv k
	shift
	O=([auth]=psk [ike]=aes256gcm16-prfsha256-x25519 [esp]=aes256gcm16 [mode]=tunnel
		[start]=none [encap]=yes [fragmentation]=yes [reauth_time]=0 [child]=$conn)
	for kv in "$@"; do
		k=${kv%%=*}
		[ "$k" != "$kv" ] || { SWAN_ERR="swan_conn: '$kv' is not KEY=VALUE"; return 1; }
		case $k in
		child | auth | local_auth | remote_auth | psk | cert | key | cacert | x.conn.* | \
			x.child.* | x.local.* | x.remote.* | child2 | child2_local_ts | \
			child2_remote_ts) ;;
		*) [ -n "${_SWAN_KEYS[$k]:-}" ] || { SWAN_ERR="swan_conn: unknown key '$k'"; return 1; } ;;
		esac
		O[$k]=${kv#*=}
	done
	if [ -z "${O[local]:-}" ] || [ -z "${O[remote]:-}" ]; then
		SWAN_ERR="swan_conn: local= and remote= are required"
		return 1
	fi
	[ -n "${O[local_id]:-}" ] || O[local_id]=${O[local]}
	[ -n "${O[remote_id]:-}" ] || [ "${O[remote]}" = %any ] || O[remote_id]=${O[remote]}
	_swan_check_name "${O[child]}" || return 1
	case ${O[auth]} in
	psk) [ -n "${O[psk]:-}" ] || { SWAN_ERR="swan_conn: auth=psk needs psk="; return 1; } ;;
	*) [ -n "${O[cert]:-}" ] && [ -n "${O[key]:-}" ] && return 0
		SWAN_ERR="swan_conn: auth=${O[auth]} needs cert= and key="
		return 1 ;;
	esac
}

# swan_conn NAME CONN KEY=VALUE...: write connection CONN (with one Child SA
# config, or two) of instance NAME and load every connection and secret of NAME
# (swanctl --load-all). Loading CONN again replaces it. Keys:
#   local=ADDR remote=ADDR|%any   underlay addresses (required)
#   local_port= remote_port=      IKE ports (default 500)
#   local_id= remote_id=          identities (default: the addresses; with
#                                 remote=%any, any remote identity)
#   auth=psk|pubkey               (default psk) for both ends; local_auth=,
#                                 remote_auth= set one end (e.g.
#                                 remote_auth=ecdsa-sha256 to demand an
#                                 ECDSA signature with SHA-256)
#   psk=SECRET                    0xHEX, 0sBASE64 or a string; bound to
#                                 local_id and remote_id
#   cert=FILE key=FILE cacert=FILE  for pubkey: own certificate and private
#                                 key (PEM; the key is copied into the
#                                 instance's private/), the CA that must
#                                 sign the peer's certificate
#   ike=PROPOSALS                 default aes256gcm16-prfsha256-x25519
#   esp=PROPOSALS                 default aes256gcm16 (e.g. aes128ccm8,
#                                 chacha20poly1305, aes256gcm16-esn, a DH
#                                 group for PFS: aes256gcm16-x25519)
#   local_ts= remote_ts=          traffic selectors (default dynamic: the
#                                 underlay addresses, which kernel-libipsec
#                                 cannot route; give inner prefixes)
#   mode=tunnel                   kernel-libipsec supports nothing else
#   start=none|start|trap         child start_action (default none)
#   close=, dpd_action=           none|clear|trap|start (child)
#   ike_rekey_time= ike_over_time= ike_rand_time= reauth_time= (default 0)
#   child_rekey_time= child_life_time= child_rand_time= child_rekey_bytes=
#   child_life_bytes= child_rekey_packets= child_life_packets=
#                                 lifetimes (strongSwan durations: 30s, 4h;
#                                 set *_rand_time=0 for exact rekey times)
#   dpd_delay=, keyingtries=, unique=, mobike=yes|no, replay_window=
#   encap=yes                     (default yes) UDP encapsulation forced
#   fragmentation=yes|accept|force|no   (default yes, RFC 7383)
#   child=NAME                    Child SA config name (default CONN)
#   child2=NAME child2_local_ts= child2_remote_ts=  a second Child SA
#                                 config, with the first's proposals and
#                                 mode and its own selectors
#   x.conn.KEY= x.child.KEY= x.local.KEY= x.remote.KEY=  any other
#                                 swanctl.conf setting of that section
# Status 1 with SWAN_ERR when a key is unknown or swanctl refuses the load.
swan_conn() {
	local name=$1 conn=$2 d key
	local -A O
	SWAN_ERR=
	shift 2
	_swan_check_name "$conn" && _swan_conn_opts "$conn" "$@" || return 1
	d=$(swan_dir "$name")
	if ! swan_alive "$name"; then
		SWAN_ERR="charon $name is not running; its log ends: $(tail -n 2 "$d/charon.log" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi
	[ -d "$d/conns" ] || { SWAN_ERR="charon $name not started"; return 1; }
	if [ -n "${O[key]:-}" ]; then
		key=$d/private/$conn.key
		if ! install -m 600 "${O[key]}" "$key"; then
			SWAN_ERR="swan_conn: cannot copy ${O[key]}"
			return 1
		fi
	fi
	_swan_write_conn "$d/conns/$conn.conf" "$d/secrets/$conn.conf" "$conn" "${O[child]}"
	swan_load "$name"
}

# swan_unconn NAME CONN: remove connection CONN of NAME (its SAs stay until
# terminated) and reload.
swan_unconn() {
	local d
	d=$(swan_dir "$1")
	rm -f "$d/conns/$2.conf" "$d/secrets/$2.conf" "$d/private/$2.key"
	swan_load "$1"
}

# swan_load NAME: swanctl --load-all of NAME's configuration (every
# connection, secret, key and certificate).
swan_load() {
	local d
	d=$(swan_dir "$1")
	_swan_ctl_ok "$1" "swanctl --load-all" --load-all --noprompt --file "$d/swanctl.conf"
}

# ---------------------------------------------------------------- control

# swan_initiate NAME CONN [CHILD] [TIMEOUT]: initiate the IKE SA of CONN
# and Child SA CHILD (default CONN); waits until both are up or up to
# TIMEOUT seconds (default 15). Status 1 with SWAN_ERR when it failed.
swan_initiate() {
	local child=${3:-$2} t=${4:-15}
	_swan_ctl_ok "$1" "swanctl --initiate $2/$child" --initiate --ike "$2" --child "$child" \
		--timeout "$t"
}

# _swan_sel KIND ID: the swanctl selector of an IKE or Child SA: --ike-id /
# --child-id for a number (unique id), --ike / --child for a config name.
_swan_sel() {
	case $1 in ike | child) ;; *) SWAN_ERR="expected ike or child, not '$1'"; return 1 ;; esac
	if [[ $2 =~ ^[0-9]+$ ]]; then
		echo "--$1-id $2"
	else
		echo "--$1 $2"
	fi
}

# swan_terminate NAME ike|child ID [TIMEOUT]: delete the SA(s) named by ID
# (a config name: every SA of that config; a number: that unique id) with
# an INFORMATIONAL exchange, waiting up to TIMEOUT seconds (default 10).
swan_terminate() {
	local sel
	sel=$(_swan_sel "$2" "$3") || return 1
	# shellcheck disable=SC2086 # sel is two words
	_swan_ctl_ok "$1" "swanctl --terminate $2 $3" --terminate $sel --timeout "${4:-10}"
}

# swan_rekey NAME ike|child ID [reauth]: start a rekey (CREATE_CHILD_SA,
# RFC 7296 §1.3.2/§1.3.3) of the SA(s) named by ID (as swan_terminate), or
# with "reauth" a reauthentication of an IKE SA. Returns once charon has
# queued it: wait for the result with swan_wait.
swan_rekey() {
	local sel extra=
	sel=$(_swan_sel "$2" "$3") || return 1
	[ "${4:-}" = reauth ] && extra=--reauth
	# shellcheck disable=SC2086 # sel is two words
	_swan_ctl_ok "$1" "swanctl --rekey $2 $3" --rekey $sel $extra
}

# swan_list NAME: `swanctl --list-sas` of NAME, for the eye and for logs.
swan_list() { swan_ctl "$1" --list-sas; }

# ---------------------------------------------------------------- queries

# swan_query NAME EXPR: EXPR, a python expression over NAME's IKE and Child
# SAs, printed (lists and dicts as JSON). The SAs come straight from the
# vici socket (list-sas, noblock), each a dict of vici's strings:
#   ikes                 every IKE SA; ike["conn"] is its config name,
#                        ike["children"] its Child SAs (uniqueid order)
#   ike(CONN=None)       the only IKE SA (of config CONN)
#   children(CHILD=None, state=None)  Child SAs (of config CHILD, in state)
#   child(CHILD=None)    the newest INSTALLED Child SA (of config CHILD)
#   n(VALUE)             a vici number (decimal or hex) as int
# Keys are vici's: state, uniqueid, initiator-spi, encr-alg, encr-keysize,
# dh-group, prf-alg, established, rekey-time; for a Child SA state, mode,
# protocol, encap, spi-in, spi-out, esn, bytes-in, bytes-out, packets-in,
# packets-out, local-ts, remote-ts (lists), install-time, rekey-time.
# Status 1 (reason on stderr) when charon does not answer or EXPR raises.
swan_query() {
	"$LAB_PY" -c "$_SWAN_VICI_PY" "$(swan_dir "$1")/charon.vici" "$2"
}

# swan_sa_count NAME ike|child [CONFIG]: how many IKE or Child SAs (in any
# state; of config CONFIG when given).
swan_sa_count() {
	case $2:${3:-} in
	ike:) swan_query "$1" "len(ikes)" ;;
	ike:*) swan_query "$1" "len([i for i in ikes if i['conn'] == '$3'])" ;;
	child:) swan_query "$1" "len(children())" ;;
	child:*) swan_query "$1" "len(children('$3'))" ;;
	*) echo "swan_sa_count: ike or child" >&2; return 1 ;;
	esac
}

# swan_ike_state NAME [CONN]: state of the only IKE SA (ESTABLISHED,
# CONNECTING, REKEYING, DELETING, ...).
swan_ike_state() {
	local cfg=None
	[ -n "${2:-}" ] && cfg="'$2'"
	swan_query "$1" "ike($cfg)['state']"
}

# swan_child_state NAME CHILD: the states of CHILD's Child SAs, oldest
# first, space-separated ("INSTALLED"; "REKEYED INSTALLED" just after a
# rekey); empty when there is none.
swan_child_state() {
	swan_query "$1" "' '.join(c['state'] for c in children('$2'))"
}

# swan_child_spis NAME CHILD: "IN OUT" SPIs (8 hex digits each) of CHILD's
# newest INSTALLED Child SA.
swan_child_spis() {
	swan_query "$1" "'%s %s' % (child('$2')['spi-in'], child('$2')['spi-out'])"
}

# swan_child_bytes NAME CHILD [in|out]: bytes through CHILD's newest
# INSTALLED Child SA: "IN OUT", or one of them.
swan_child_bytes() {
	case ${3:-both} in
	in | out) swan_query "$1" "n(child('$2')['bytes-$3'])" ;;
	*) swan_query "$1" "'%d %d' % (n(child('$2')['bytes-in']), n(child('$2')['bytes-out']))" ;;
	esac
}

_swan_true() { [ "$(swan_query "$1" "bool($2)" 2>/dev/null)" = True ]; }

# swan_wait NAME SECONDS EXPR: poll (every 50 ms) until the swan_query
# EXPR of NAME is true; status 1 at the deadline. An EXPR that raises (no
# such SA yet) counts as false.
swan_wait() { _lab_poll "$2" _swan_true "$1" "$3"; }

# The vici client of swan_query: SOCKET EXPR. The protocol is the vici
# plugin's (strongSwan's src/libcharon/plugins/vici/README.md): each
# packet a 32-bit big-endian length, a type octet, for named types a name
# (8-bit length), then a message of elements: SECTION_START(1) name,
# SECTION_END(2), KEY_VALUE(3) name + 16-bit length value, LIST_START(4)
# name, LIST_ITEM(5) 16-bit length value, LIST_END(6).
_SWAN_VICI_PY='
import json, socket, struct, sys

CMD_REQUEST, CMD_RESPONSE, CMD_UNKNOWN = 0, 1, 2
EVENT_REGISTER, EVENT_UNREGISTER, EVENT_CONFIRM, EVENT_UNKNOWN, EVENT = 3, 4, 5, 6, 7

def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise SystemExit("vici: connection closed")
        b += c
    return b

def send(s, ptype, name, body=b""):
    n = name.encode()
    p = bytes([ptype, len(n)]) + n + body
    s.sendall(struct.pack("!I", len(p)) + p)

def recv(s):
    (length,) = struct.unpack("!I", recv_exact(s, 4))
    p = recv_exact(s, length)
    ptype, pos, name = p[0], 1, ""
    if ptype == EVENT:
        name = p[2:2 + p[1]].decode()
        pos = 2 + p[1]
    return ptype, name, p[pos:]

def decode(b):
    """A vici message as nested dicts; lists as lists of str."""
    root = {}
    stack, pos, lst = [root], 0, None
    while pos < len(b):
        t = b[pos]; pos += 1
        if t in (1, 3, 4):
            k = b[pos + 1:pos + 1 + b[pos]].decode(); pos += 1 + b[pos]
        if t == 1:
            d = {}; stack[-1][k] = d; stack.append(d)
        elif t == 2:
            stack.pop()
        elif t in (3, 5):
            (vl,) = struct.unpack("!H", b[pos:pos + 2])
            v = b[pos + 2:pos + 2 + vl].decode("utf-8", "replace"); pos += 2 + vl
            if t == 3:
                stack[-1][k] = v
            else:
                lst.append(v)
        elif t == 4:
            lst = []; stack[-1][k] = lst
        elif t == 6:
            lst = None
        else:
            raise SystemExit("vici: element type %d" % t)
    return root

def list_sas(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(path)
    except OSError as e:
        raise SystemExit("vici: %s: %s" % (path, e.strerror))
    send(s, EVENT_REGISTER, "list-sa")
    if recv(s)[0] != EVENT_CONFIRM:
        raise SystemExit("vici: list-sa event refused")
    name = b"noblock"
    send(s, CMD_REQUEST, "list-sas", bytes([3, len(name)]) + name + struct.pack("!H", 3) + b"yes")
    out = []
    while True:
        ptype, ev, body = recv(s)
        if ptype == EVENT and ev == "list-sa":
            for conn, sa in decode(body).items():
                sa["conn"] = conn
                kids = list(sa.get("child-sas", {}).values())
                sa["children"] = sorted(kids, key=lambda c: int(c.get("uniqueid", "0")))
                out.append(sa)
        elif ptype == CMD_RESPONSE:
            break
        else:
            raise SystemExit("vici: unexpected packet type %d" % ptype)
    s.close()
    return sorted(out, key=lambda i: int(i.get("uniqueid", "0")))

def n(v):
    return int(v, 0) if isinstance(v, str) and v.lower().startswith("0x") else int(v)

ikes = list_sas(sys.argv[1])

def ike(conn=None):
    m = [i for i in ikes if conn is None or i["conn"] == conn]
    if len(m) != 1:
        raise SystemExit("no single IKE SA %s: %d of them" % (conn, len(m)))
    return m[0]

def children(name=None, state=None):
    return [c for i in ikes for c in i["children"]
            if (name is None or c.get("name") == name) and (state is None or c.get("state") == state)]

def child(name=None):
    m = children(name, "INSTALLED")
    if not m:
        raise SystemExit("no INSTALLED Child SA %s in %s" % (name, [c.get("state") for c in children()]))
    return max(m, key=lambda c: int(c.get("uniqueid", "0")))

try:
    r = eval(sys.argv[2])
except Exception as e:
    raise SystemExit("swan_query %s: %s: %s" % (sys.argv[2], type(e).__name__, e))
print(json.dumps(r) if isinstance(r, (list, dict)) else r)
'

# ---------------------------------------------------------------- certificates

# swan_make_ca_and_certs DIR [FQDN_A [FQDN_B]]: with openssl, into DIR
# (created): a CA (ca.crt, ca.key: ECDSA P-256, self-signed, CA:TRUE) and
# two host certificates signed by it, a.crt/a.key for FQDN_A (default
# host-a.tunsec.test) and b.crt/b.key for FQDN_B (host-b.tunsec.test),
# ECDSA P-256 with the FQDN as subject CN and as subjectAltName DNS name
# (what an fqdn: identity is matched against). All PEM; keys PKCS#8,
# unencrypted, mode 600. Valid from now for 30 days. Status 1 with
# SWAN_ERR when openssl failed.
swan_make_ca_and_certs() {
	local dir=$1 fa=${2:-host-a.tunsec.test} fb=${3:-host-b.tunsec.test} h f log
	log=$dir/openssl.log
	if ! install -d -m 700 "$dir"; then
		SWAN_ERR="mkdir $dir"
		return 1
	fi
	(
		set -e
		cd "$dir"
		umask 077
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key
		openssl req -new -x509 -key ca.key -sha256 -days 30 -subj "/O=tunsec lab/CN=tunsec lab CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt
		for h in a b; do
			f=$fa
			[ "$h" = b ] && f=$fb
			openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$h.key"
			openssl req -new -key "$h.key" -subj "/O=tunsec lab/CN=$f" -out "$h.csr"
			printf '%s\n' "basicConstraints=critical,CA:FALSE" \
				"keyUsage=critical,digitalSignature" "subjectAltName=DNS:$f" \
				"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" >"$h.ext"
			openssl x509 -req -in "$h.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
				-sha256 -days 30 -extfile "$h.ext" -out "$h.crt"
			rm -f "$h.csr" "$h.ext"
		done
		chmod 644 ca.crt a.crt b.crt
	) >"$log" 2>&1 || { SWAN_ERR="openssl: $(tail -n 2 "$log" | tr '\n' ' ')"; return 1; }
}

# swan_make_rsa_chain DIR [BITS [FQDN_A [FQDN_B]]]: with openssl, into DIR
# (created): RSA keys of BITS bits (default 3072) and a chain of two CAs,
# a self-signed root (rca.crt, rca.key) and an intermediate it signs
# (ica.crt, ica.key), which signs the host certificates a.crt/a.key for
# FQDN_A (default host-a.tunsec.test) and b.crt/b.key for FQDN_B
# (host-b.tunsec.test), named as in swan_make_ca_and_certs; a-chain.crt
# and b-chain.crt are each host's certificate followed by the
# intermediate's. All PEM, keys PKCS#8 unencrypted, mode 600, SHA-256
# signatures, valid for 30 days.
# Status 1 with SWAN_ERR when openssl failed.
swan_make_rsa_chain() {
	local dir=$1 bits=${2:-3072} fa=${3:-host-a.tunsec.test} fb=${4:-host-b.tunsec.test} h f log
	log=$dir/openssl.log
	if ! install -d -m 700 "$dir"; then
		SWAN_ERR="mkdir $dir"
		return 1
	fi
	(
		set -e
		cd "$dir"
		umask 077
		for h in rca ica a b; do
			openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -out "$h.key"
		done
		openssl req -new -x509 -key rca.key -sha256 -days 30 -subj "/O=tunsec lab/CN=tunsec lab RSA root" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" -out rca.crt
		openssl req -new -key ica.key -subj "/O=tunsec lab/CN=tunsec lab RSA intermediate" -out ica.csr
		printf '%s\n' "basicConstraints=critical,CA:TRUE,pathlen:0" \
			"keyUsage=critical,keyCertSign,cRLSign" "subjectKeyIdentifier=hash" \
			"authorityKeyIdentifier=keyid" >ica.ext
		openssl x509 -req -in ica.csr -CA rca.crt -CAkey rca.key -CAcreateserial \
			-sha256 -days 30 -extfile ica.ext -out ica.crt
		for h in a b; do
			f=$fa
			[ "$h" = b ] && f=$fb
			openssl req -new -key "$h.key" -subj "/O=tunsec lab/CN=$f" -out "$h.csr"
			printf '%s\n' "basicConstraints=critical,CA:FALSE" \
				"keyUsage=critical,digitalSignature" "subjectAltName=DNS:$f" \
				"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" >"$h.ext"
			openssl x509 -req -in "$h.csr" -CA ica.crt -CAkey ica.key -CAcreateserial \
				-sha256 -days 30 -extfile "$h.ext" -out "$h.crt"
			cat "$h.crt" ica.crt >"$h-chain.crt"
		done
		rm -f ./*.csr ./*.ext
		chmod 644 rca.crt ica.crt a.crt b.crt a-chain.crt b-chain.crt
	) >"$log" 2>&1 || { SWAN_ERR="openssl: $(tail -n 2 "$log" | tr '\n' ' ')"; return 1; }
}
