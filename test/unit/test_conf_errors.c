/* SPDX-License-Identifier: MIT */
/*
 * Configuration parser: every way a file can be refused. Each case is a
 * whole file with the line number and a distinctive part of the reason
 * written out by hand. For every case the parse must fail with -EINVAL,
 * leave the output zeroed, and keep key hex out of the reason.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "test.h"

/* Key material for aes-gcm-128 (20 bytes) and aes-gcm-256 with a short key
 * (32 bytes instead of 36). */
#define K20 "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3"
#define K32 "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"

/* Lines 1-2. */
#define DAEMON "[daemon]\nlocal-address = 10.0.0.1\n"
/* Lines 3-5 after DAEMON. */
#define PEER_B "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\n"
/* Lines 1-5. */
#define DP DAEMON PEER_B
/* Lines 6-9 after DP; cipher and key follow on 10 and 11. */
#define SA_HEAD(name, dir, spi) \
	"[sa " name "]\npeer = b\ndirection = " dir "\nspi = " spi "\n"
/* Lines 6-11 after DP. */
#define SA_OUT SA_HEAD("o", "out", "0x1001") "cipher = aes-gcm-128\nkey = " K20 "\n"
/* A tunnel-mode peer on lines 3-6 after DAEMON, its protect line on 6. */
#define TPEER(sel) "[peer b]\naddress = 10.0.0.2\nmode = tunnel\nprotect = " sel "\n"

/* Pre-shared keys, whole or in part, that no reason may contain. */
#define PSK_STR "Kx9Vq-Kx9Vq-Kx9Vq-Kx9Vq"
#define PSK_HEX "5ec2e75ec2e75ec2e75ec2e75ec2e75e"
/* An IKE-managed peer on lines 3-7 after DAEMON; IKE keys follow on 8. */
#define IPEER "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\nauth = psk\n" \
	      "psk = \"" PSK_STR "\"\n"
/* The same peer without a psk (lines 3-6), for cases about psk. */
#define APEER "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\nauth = psk\n"
#define DI DAEMON IPEER
/* Lines 3-6: a peer with auth = pubkey and nothing else. */
#define PPEER "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\nauth = pubkey\n"
/* 50 x "b", 64 x "a". */
#define B50 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
/* 17 proposal names. */
#define P4(x) x "1," x "2," x "3," x "4,"
#define P17 P4("a") P4("b") P4("c") P4("d") "e"

struct err_case {
	const char *text;
	unsigned line;
	const char *reason;
};

static const struct err_case cases[] = {
	/* [daemon] */
	{ PEER_B, 0, "no [daemon] section" },
	{ "", 0, "no [daemon] section" },
	{ "[daemon]\nport = 4500\n" PEER_B, 1, "[daemon]: missing \"local-address\"" },
	{ "[daemon]\nlocal-address = 10.0.0.300\n", 2, "local-address: \"10.0.0.300\" is not an IPv4 or IPv6 address" },
	{ "[daemon]\nlocal-address = 10.0.0.0/24\n", 2, "is not an IPv4 or IPv6 address" },
	{ "[daemon]\nlocal-address = 224.0.0.1\n", 2, "is not a unicast address" },
	{ "[daemon]\nlocal-address = ::\n", 2, "\"::\" is not a unicast address" },
	{ "[daemon]\nlocal-address =\n", 2, "local-address: \"\" is not" },
	{ DAEMON "port = 0\n", 3, "port: \"0\" is out of range (1..65535)" },
	{ DAEMON "port = 65536\n", 3, "port: \"65536\" is out of range" },
	{ DAEMON "port = 99999999999999999999\n", 3, "is out of range (1..65535)" },
	{ DAEMON "port = 0x\n", 3, "port: \"0x\" is not a number" },
	{ DAEMON "port = -1\n", 3, "port: \"-1\" is not a number" },
	{ DAEMON "port = +1\n", 3, "is not a number" },
	{ DAEMON "port = 45 00\n", 3, "port: \"45 00\" is not a number" },
	{ DAEMON "port = 0x1g\n", 3, "is not a number" },
	{ DAEMON "mtu = 575\n", 3, "mtu: \"575\" is out of range (576..65535)" },
	{ "[daemon]\nlocal-address = fd00::1\nmtu = 1000\n", 3, "below the IPv6 minimum of 1280" },
	{ DAEMON "log-level = verbose\n", 3, "log-level: \"verbose\" is not error, warning, info or debug" },
	{ DAEMON "fwmark = 0\n", 3, "fwmark: \"0\" is out of range" },
	{ DAEMON "fwmark = 0x100000000\n", 3, "fwmark: \"0x100000000\" is out of range" },
	{ DAEMON "table = 254\n", 3, "table: 254 is reserved" },
	{ DAEMON "table = 0\n", 3, "table: \"0\" is out of range" },
	{ DAEMON "tun = abcdefghijklmnop\n", 3, "tun: \"abcdefghijklmnop\" must be a device name" },
	{ DAEMON "tun = a/b\n", 3, "tun: \"a/b\" must be" },
	{ DAEMON "tun = ..\n", 3, "tun: \"..\" must be" },
	{ DAEMON "tun =\n", 3, "tun: \"\" must be" },
	{ DAEMON "control-socket =\n", 3, "control-socket: path must be 1-107 bytes" },
	{ DAEMON "control-socket = /run/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
	  3, "control-socket: path must be 1-107 bytes" },
	{ DAEMON "port = 1\nport = 2\n", 4, "duplicate key \"port\" (first set on line 3)" },
	{ DAEMON "adress = 1\n", 3, "unknown key \"adress\" in [daemon]" },
	{ DAEMON "[daemon]\n", 3, "duplicate [daemon] (first on line 1)" },
	{ DAEMON "workers = 65\n", 3, "workers: \"65\" is out of range (0..64)" },
	{ DAEMON "workers = -1\n", 3, "workers: \"-1\" is not a number" },
	{ DAEMON "workers = x\n", 3, "workers: \"x\" is not a number" },
	{ DAEMON "workers =\n", 3, "workers: \"\" is not a number" },
	{ DAEMON "workers = 4294967296\n", 3, "workers: \"4294967296\" is out of range" },
	{ DAEMON "workers = 2\nworkers = 2\n", 4, "duplicate key \"workers\" (first set on line 3)" },
	{ DAEMON "tun-offload = on\n", 3, "tun-offload: \"on\" is not no or yes" },
	{ DAEMON "tun-offload = YES\n", 3, "tun-offload: \"YES\" is not no or yes" },
	{ DAEMON "udp-gso = 1\n", 3, "udp-gso: \"1\" is not no or yes" },
	{ DAEMON "udp-gro = true\n", 3, "udp-gro: \"true\" is not no or yes" },
	{ DAEMON "coalesce = off\n", 3, "coalesce: \"off\" is not no or yes" },
	{ DAEMON "coalesce =\n", 3, "coalesce: \"\" is not no or yes" },
	{ DAEMON "udp-gso = no\nudp-gso = yes\n", 4, "duplicate key \"udp-gso\" (first set on line 3)" },
	{ DP "workers = 2\n", 6, "unknown key \"workers\" in [peer b]" },
	{ DP SA_OUT "coalesce = no\n", 12, "unknown key \"coalesce\" in [sa o]" },
	{ "[daemon x]\n", 1, "[daemon] takes no name" },
	{ "port = 1\n" DAEMON, 1, "key \"port\" outside any section" },

	/* Lines and sections. */
	{ DAEMON "[foo]\n", 3, "unknown section \"foo\"" },
	{ DAEMON "[]\n", 3, "empty section name" },
	{ DAEMON "[peer]\n", 3, "[peer] needs a name" },
	{ DAEMON "[sa]\n", 3, "[sa] needs a name" },
	{ DAEMON "[peer a b]\n", 3, "more than two words" },
	{ DAEMON "[peer a/b]\n", 3, "peer name \"a/b\" must be 1-63 characters" },
	{ DAEMON "[peer b\n", 3, "must end with \"]\"" },
	{ DAEMON "[peer b] x\n", 3, "must end with \"]\"" },
	{ DAEMON "[peer 0123456789012345678901234567890123456789012345678901234567890123]\n", 3, "must be 1-63 characters" },
	{ DP "[peer b]\n", 6, "duplicate [peer b] (first on line 3)" },
	{ DP SA_OUT "[sa o]\n", 12, "duplicate [sa o] (first on line 6)" },
	{ DAEMON "port 4500\n", 3, "expected \"key = value\"" },
	{ DAEMON "Port = 4500\n", 3, "bad key name" },
	{ DAEMON "= 4500\n", 3, "bad key name \"\"" },
	{ DAEMON "key " "a0a1a2a3" " = 1\n", 3, "bad key name ; keys are lower-case" },
	{ DAEMON "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3 = 1\n", 3, "bad key name ; keys are" },
	{ DAEMON "# fine\n  # fine\nport = 1 # fine\nmtu = 2\n", 6, "mtu: \"2\" is out of range" },
	{ DAEMON "\xff\n", 3, "not UTF-8 (column 1)" },
	{ DAEMON "# caf\xc3\n", 3, "not UTF-8" },
	{ DAEMON "# \xc0\xaf overlong\n", 3, "not UTF-8" },
	{ DAEMON "# \xed\xa0\x80 surrogate\n", 3, "not UTF-8" },
	{ DAEMON "port = 1\x01\n", 3, "control byte 0x01 (column 9)" },
	{ DAEMON "port = 1\x7f\n", 3, "control byte 0x7f" },
	{ DAEMON "port = 1\r2\n", 3, "control byte 0x0d" },

	/* [peer] */
	{ DAEMON "[peer b]\nprotect = proto tcp\n", 3, "peer \"b\": missing \"address\"" },
	{ DAEMON "[peer b]\naddress = 10.0.0.2\n", 3, "peer \"b\": needs at least one \"protect\" line" },
	{ DAEMON "[peer b]\naddress = 10.0.0.2\n[peer c]\naddress = 10.0.0.3\nprotect = proto tcp\n", 3, "peer \"b\": needs at least one" },
	{ DAEMON "[peer b]\naddress = fd00::2\nprotect = proto tcp\n", 4, "peer \"b\": address is IPv6 but local-address is IPv4" },
	{ DAEMON "[peer b]\naddress = 10.0.0.1\nprotect = proto tcp\n", 4, "address is this host's local-address" },
	{ DP "[peer c]\naddress = 10.0.0.2\nprotect = proto udp\n", 7, "peer \"c\": address is already peer \"b\"'s (line 4)" },
	{ DP "mode = bridge\n", 6, "mode: \"bridge\" is not transport or tunnel" },
	{ DP "port = 0\n", 6, "port: \"0\" is out of range" },
	{ DP "mode = tunnel\nmode = tunnel\n", 7, "duplicate key \"mode\" (first set on line 6)" },
	{ DP "local-address = 10.0.0.9\n", 6, "unknown key \"local-address\" in [peer b]" },

	/* protect = SELECTOR */
	{ DAEMON TPEER("lcoal 10.0.0.0/8"), 6, "protect: unknown word \"lcoal\"" },
	{ DAEMON TPEER("proto tcp proto udp"), 6, "protect: \"proto\" given twice" },
	{ DAEMON TPEER("local 10.1.0.0/16 local 10.2.0.0/16"), 6, "\"local\" given twice" },
	{ DAEMON TPEER("lport 80"), 6, "protect: lport needs proto tcp, udp or sctp" },
	{ DAEMON TPEER("rport 80 proto icmp"), 6, "protect: rport needs proto tcp, udp or sctp" },
	{ DAEMON TPEER("proto 1 lport 7"), 6, "lport needs proto" },
	{ DAEMON TPEER("proto tcp lport 90-80"), 6, "protect: lport \"90-80\" is an empty range" },
	{ DAEMON TPEER("proto tcp lport 81-80"), 6, "protect: lport \"81-80\" is an empty range" },
	{ DAEMON TPEER("proto tcp rport 1-"), 6, "protect: rport \"1-\" is not a port" },
	{ DAEMON TPEER("proto tcp rport -5"), 6, "is not a port" },
	{ DAEMON TPEER("proto tcp rport 1-2-3"), 6, "is not a port" },
	{ DAEMON TPEER("proto tcp rport 70000"), 6, "protect: rport \"70000\" is not a port 0-65535" },
	{ DAEMON TPEER("local 10.0.0.0/8 remote fd00::/8"), 6, "protect: local is IPv4 but remote is IPv6" },
	{ DAEMON TPEER("local 10.0.0.0/33"), 6, "protect: local \"10.0.0.0/33\" is not an address or prefix" },
	{ DAEMON TPEER("remote fd00::/129"), 6, "protect: remote \"fd00::/129\" is not an address" },
	{ DAEMON TPEER("remote host.example"), 6, "is not an address or prefix" },
	{ DAEMON TPEER("proto"), 6, "protect: \"proto\" needs a value" },
	{ DAEMON TPEER(""), 6, "protect: empty selector" },
	{ DAEMON TPEER("proto 0"), 6, "protect: proto \"0\" is not tcp, udp, icmp, icmpv6, sctp or a number 1-255" },
	{ DAEMON TPEER("proto 256"), 6, "proto \"256\" is not" },
	{ DAEMON TPEER("proto TCP"), 6, "proto \"TCP\" is not" },
	{ DAEMON TPEER("local fd00::/16 proto icmp"), 6, "protect: proto icmp does not go with IPv6 addresses" },
	{ DAEMON TPEER("remote 10.9.0.0/16 proto icmpv6"), 6, "proto icmpv6 does not go with IPv4" },
	{ DP "protect = remote fd00::2\n", 6, "transport mode over IPv4, but this selector is IPv6" },
	{ DP "protect = local 2001:db8::/64 proto udp\n", 6, "transport mode over IPv4" },
	{ DP "protect = proto icmpv6\n", 6, "proto icmpv6 does not go with IPv4" },
	{ DP "protect = proto tcp\n", 6, "protect: same traffic as on line 5" },
	{ DAEMON TPEER("local 10.1.0.0/16") "protect = local 10.1.0.0/16 proto 0x6\n" "protect = proto 6 local 10.1.0.0/16\n", 8, "same traffic as on line 7" },

	/* [sa] */
	{ DP "[sa o]\npeer = b\ndirection = out\ncipher = aes-gcm-128\nkey = " K20 "\n", 6, "sa \"o\": missing \"spi\"" },
	{ DP "[sa o]\ndirection = out\nspi = 1\ncipher = aes-gcm-128\nkey = " K20 "\n", 6, "sa \"o\": missing \"peer\"" },
	{ DP "[sa o]\npeer = b\nspi = 1\ncipher = aes-gcm-128\nkey = " K20 "\n", 6, "sa \"o\": missing \"direction\"" },
	{ DP SA_HEAD("o", "out", "1") "key = " K20 "\n", 6, "sa \"o\": missing \"cipher\"" },
	{ DP SA_HEAD("o", "out", "1") "cipher = aes-gcm-128\n", 6, "sa \"o\": missing \"key\"" },
	{ DP SA_HEAD("o", "out", "0x"), 9, "spi: \"0x\" is not a number" },
	{ DP SA_HEAD("o", "out", "0"), 9, "spi: \"0\" is out of range (1..4294967295)" },
	{ DP SA_HEAD("o", "out", "0x100000000"), 9, "spi: \"0x100000000\" is out of range" },
	{ DP SA_HEAD("o", "out", "4294967296"), 9, "is out of range" },
	{ DP SA_HEAD("o", "out", "1") "cipher = aes-gcm-512\n", 10, "cipher: \"aes-gcm-512\" is not null, null-hmac-sha256, aes-gcm-128" },
	{ DP SA_HEAD("o", "sideways", "1"), 8, "direction: \"sideways\" is not in or out" },
	{ DP SA_OUT "icv = 10\n", 12, "icv: \"10\" is not 8, 12 or 16" },
	{ DP SA_HEAD("o", "out", "1") "cipher = chacha20-poly1305\nicv = 8\nkey = " K32 "00010203\n", 11, "sa \"o\": chacha20-poly1305 does not allow icv 8 (allowed: 16)" },
	{ DP SA_HEAD("o", "out", "1") "cipher = null-hmac-sha256\nicv = 12\nkey = " K32 "\n", 11, "null-hmac-sha256 does not allow icv 12" },
	{ DP SA_HEAD("o", "out", "1") "cipher = null\nicv = 16\n", 11, "sa \"o\": cipher null has no ICV" },
	{ DP SA_HEAD("o", "out", "1") "cipher = aes-gcm-256\nkey = " K32 "\n", 11,
	  "sa \"o\": key is 32 bytes, aes-gcm-256 takes 36 (32-byte key + 4-byte salt)" },
	{ DP SA_HEAD("o", "out", "1") "key = " K32 "\ncipher = aes-gcm-256\n", 10, "key is 32 bytes, aes-gcm-256 takes 36" },
	{ DP SA_HEAD("o", "out", "1") "cipher = aes-ccm-128\nkey = " K20 "\n", 11, "key is 20 bytes, aes-ccm-128 takes 19 (16-byte key + 3-byte salt)" },
	{ DP SA_HEAD("o", "out", "1") "cipher = null-hmac-sha256\nkey = " K20 "\n", 11, "key is 20 bytes, null-hmac-sha256 takes 32 (32-byte key)" },
	{ DP SA_HEAD("o", "out", "1") "cipher = aes-gcm-128\nkey =\n", 11, "key is 0 bytes, aes-gcm-128 takes 20" },
	{ DP SA_HEAD("o", "out", "1") "cipher = aes-gcm-128\nkey = " K20 "0\n", 11, "key: odd number of hex digits" },
	{ DP SA_HEAD("o", "out", "1") "cipher = aes-gcm-128\nkey = a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2bz\n", 11, "key: not a hex string (bad digit at position 40)" },
	{ DP SA_HEAD("o", "out", "1") "cipher = aes-gcm-128\nkey = a0a1a2a3a4a5a6a7 a8a9aaabacadaeafb0b1b2b3\n", 11, "key: not a hex string" },
	{ DP SA_HEAD("o", "out", "1") "cipher = aes-gcm-128\nkey = " K32 K32 K32 "\n", 11, "key: key is 96 bytes; no cipher takes more than 36" },
	{ DP SA_HEAD("o", "out", "1") "cipher = null\nkey = " K20 "\n", 11, "sa \"o\": cipher null takes no key" },
	{ DP SA_HEAD("o", "out", "1") "cipher = aes-gcm-128\nkey = @b.key\n", 11, "key: key files (@PATH) are not allowed here" },
	{ DP SA_HEAD("o", "out", "1") "cipher = aes-gcm-128\nkey = @\n", 11, "key: \"@\" needs a file name" },
	{ DP SA_OUT "esn = true\n", 12, "esn: \"true\" is not no or yes" },
	{ DP SA_OUT "replay-window = 64\n", 12, "sa \"o\": replay-window applies to inbound SAs only" },
	{ DP SA_HEAD("i", "in", "1") "cipher = aes-gcm-128\nkey = " K20 "\nreplay-window = 31\n", 12, "replay-window: \"31\" is out of range (32..65536)" },
	{ DP SA_HEAD("i", "in", "1") "cipher = aes-gcm-128\nkey = " K20 "\nreplay-window = 65537\n", 12, "is out of range (32..65536)" },
	{ DP SA_HEAD("i", "in", "1") "cipher = aes-gcm-128\nkey = " K20 "\ntfc-pad = 100\n", 12, "sa \"i\": tfc-pad applies to outbound SAs only" },
	{ DP SA_OUT "tfc-pad = 100\n", 12, "sa \"o\": tfc-pad needs a tunnel-mode peer; peer \"b\" is in transport mode" },
	{ DP SA_OUT "tfc-pad = 32768\n", 12, "tfc-pad: \"32768\" is out of range (0..32767)" },
	{ DP SA_OUT "key = " K20 "\n", 12, "duplicate key \"key\" (first set on line 11)" },
	{ DP SA_OUT "peer = c\n", 12, "duplicate key \"peer\"" },
	{ DP SA_OUT "lifetime = 3600\n", 12, "unknown key \"lifetime\" in [sa o]" },
	{ DP "[sa o]\npeer = a b\n", 7, "peer \"a b\" must be 1-63 characters" },
	{ DP "[sa o]\npeer = c\ndirection = out\nspi = 1\ncipher = aes-gcm-128\nkey = " K20 "\n", 7, "sa \"o\": no [peer c] in this file" },
	{ DP SA_OUT SA_HEAD("o2", "out", "0x1002") "cipher = aes-gcm-128\nkey = " K20 "\n", 14,
	  "sa \"o2\": peer \"b\" already has an outbound SA for cpu 0, \"o\" (line 6)" },

	/* cpu = N: per-CPU outbound SAs (RFC 9611). */
	{ DP SA_OUT "cpu = 64\n", 12, "cpu: \"64\" is out of range (0..63)" },
	{ DP SA_OUT "cpu = -1\n", 12, "cpu: \"-1\" is not a number" },
	{ DP SA_OUT "cpu = x\n", 12, "cpu: \"x\" is not a number" },
	{ DP SA_OUT "cpu = 256\n", 12, "cpu: \"256\" is out of range (0..63)" },
	{ DP SA_OUT "cpu = 1\ncpu = 2\n", 13, "duplicate key \"cpu\" (first set on line 12)" },
	{ DP SA_HEAD("i", "in", "1") "cipher = aes-gcm-128\nkey = " K20 "\ncpu = 1\n", 12, "sa \"i\": cpu applies to outbound SAs only" },
	{ DP SA_HEAD("i", "in", "1") "cpu = 0\ncipher = aes-gcm-128\nkey = " K20 "\n", 10, "sa \"i\": cpu applies to outbound SAs only" },
	{ DP SA_OUT "cpu = 3\n" SA_HEAD("o2", "out", "0x1002") "cipher = aes-gcm-128\nkey = " K20 "\ncpu = 3\n", 19,
	  "sa \"o2\": peer \"b\" already has an outbound SA for cpu 3, \"o\" (line 6)" },
	/* No cpu line is cpu 0. */
	{ DP SA_OUT SA_HEAD("o2", "out", "0x1002") "cipher = aes-gcm-128\nkey = " K20 "\ncpu = 0\n", 18,
	  "already has an outbound SA for cpu 0, \"o\" (line 6)" },
	/* The third of three collides with the second, not the first. */
	{ DP SA_OUT SA_HEAD("o2", "out", "0x1002") "cipher = aes-gcm-128\nkey = " K20 "\ncpu = 7\n"
	  SA_HEAD("o3", "out", "0x1003") "cpu = 7\ncipher = aes-gcm-128\nkey = " K20 "\n", 23,
	  "sa \"o3\": peer \"b\" already has an outbound SA for cpu 7, \"o2\" (line 12)" },
	/* Per-CPU SAs still need distinct SPIs. */
	{ DP SA_OUT SA_HEAD("o2", "out", "0x1001") "cipher = aes-gcm-128\nkey = " K20 "\ncpu = 1\n", 15,
	  "sa \"o2\": spi 0x00001001 is already used by outbound sa \"o\" (line 6)" },
	/* Several inbound SAs per peer are fine, but not with one SPI. */
	{ DP SA_HEAD("i", "in", "0x2001") "cipher = aes-gcm-128\nkey = " K20 "\n"
	  SA_HEAD("i2", "in", "8193") "cipher = aes-gcm-128\nkey = " K20 "\n", 15,
	  "sa \"i2\": spi 0x00002001 is already used by inbound sa \"i\" (line 6)" },
	{ DP "[peer c]\naddress = 10.0.0.3\nprotect = proto udp\n" SA_OUT
	  "[sa o2]\npeer = c\ndirection = out\nspi = 4097\ncipher = aes-gcm-128\nkey = " K20 "\n", 18,
	  "sa \"o2\": spi 0x00001001 is already used by outbound sa \"o\" (line 9)" },

	/* IKE-managed peers: auth and the [sa] sections. */
	{ DI SA_HEAD("o", "out", "1") "cipher = null\n", 8,
	  "sa \"o\": peer \"b\" is managed by IKE (auth on line 6): its SAs come from IKE" },
	{ DAEMON "[sa o]\npeer = b\ndirection = in\nspi = 1\ncipher = null\n" IPEER, 3,
	  "sa \"o\": peer \"b\" is managed by IKE (auth on line 11)" },
	{ DAEMON APEER "auth = psk\n", 7, "duplicate key \"auth\" (first set on line 6)" },
	{ DAEMON APEER, 3, "peer \"b\": \"auth = psk\" needs \"psk\"" },
	{ DAEMON "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\nauth = cert\n", 6, "auth: \"cert\" is not psk or pubkey" },
	{ DAEMON "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\nauth = PSK\n", 6, "auth: \"PSK\" is not psk or pubkey" },
	{ DAEMON "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\nauth =\n", 6, "auth: \"\" is not psk or pubkey" },

	/* auth = pubkey, as far as it goes without files (base_dir NULL:
	 * no path is accepted and nothing is looked at). */
	{ DAEMON PPEER, 3, "peer \"b\": \"auth = pubkey\" needs \"certificate\"" },
	{ DAEMON PPEER "psk = \"" PSK_STR "\"\n", 7, "psk: not used with auth = pubkey" },
	{ DAEMON "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\npsk = 0x" PSK_HEX "\nauth = pubkey\n", 6, "psk: not used with auth = pubkey" },
	{ DAEMON PPEER "certificate = /etc/tunsec/a.pem\n", 7, "certificate: file paths are not allowed here" },
	{ DAEMON PPEER "private-key = a.key\n", 7, "private-key: file paths are not allowed here" },
	{ DAEMON PPEER "ca = ca.pem\n", 7, "ca: file paths are not allowed here" },
	{ DAEMON PPEER "certificate =\n", 7, "certificate: needs a file name" },
	{ DAEMON PPEER "private-key =\n", 7, "private-key: needs a file name" },
	{ DAEMON PPEER "ca =\n", 7, "ca: needs a file name" },
	{ DAEMON PPEER "auth = psk\n", 7, "duplicate key \"auth\" (first set on line 6)" },
	{ DP "certificate =\n", 6, "certificate: needs a file name" },
	{ DP "psk = \"" PSK_STR "\"\n", 6, "peer \"b\": \"psk\" applies to IKE-managed peers only (add \"auth = psk\")" },
	{ DP "start = trap\nlocal-id = fqdn:a.example\n", 6, "\"start\" applies to IKE-managed peers only" },
	{ DAEMON "[peer b]\naddress = 10.0.0.2\ndpd-delay = 10s\nprotect = proto tcp\n", 5, "\"dpd-delay\" applies to IKE-managed" },
	{ DI "[peer c]\naddress = 10.0.0.3\nprotect = proto tcp\nnat-traversal = no\n", 11, "peer \"c\": \"nat-traversal\" applies to IKE-managed" },
	{ DP SA_OUT "psk = \"" PSK_STR "\"\n", 12, "unknown key \"psk\" in [sa o]" },
	{ DAEMON "auth = psk\n", 3, "unknown key \"auth\" in [daemon]" },
	{ DAEMON "[peer b]\naddress = 10.0.0.2\nauth = psk\npsk = \"" PSK_STR "\"\n", 3, "peer \"b\": needs at least one \"protect\" line" },

	/* psk: every malformed form; none may echo the key. */
	{ DAEMON APEER "psk = " PSK_STR "\n", 7, "psk: expected 0xHEX, \"STRING\" (in quotes) or @FILE" },
	{ DAEMON APEER "psk = " PSK_HEX "\n", 7, "psk: expected 0xHEX" },
	{ DAEMON APEER "psk =\n", 7, "psk: expected 0xHEX" },
	{ DAEMON APEER "psk = 'Kx9Vq-Kx9Vq-Kx9Vq'\n", 7, "psk: expected 0xHEX" },
	{ DAEMON APEER "psk = \"hunter2\"\n", 7, "psk: the key is 7 bytes; at least 16 are needed (a short key can be guessed offline" },
	{ DAEMON APEER "psk = \"\"\n", 7, "psk: the key is 0 bytes; at least 16" },
	{ DAEMON APEER "psk = \"Kx9Vq-Kx9Vq-Kx9\"\n", 7, "the key is 15 bytes" },
	{ DAEMON APEER "psk = 0x5ec2e75ec2e75ec2e75ec2e75ec2e7\n", 7, "psk: the key is 15 bytes; at least 16" },
	{ DAEMON APEER "psk = 0x\n", 7, "psk: the key is 0 bytes" },
	{ DAEMON APEER "psk = 0x5ec2e75ec2e75eg2e75ec2e75ec2e75e\n", 7, "psk: not a hex string (bad digit at position 17)" },
	{ DAEMON APEER "psk = 0x5ec2e75ec2e75ec2 e75ec2e75ec2e75e\n", 7, "psk: not a hex string (bad digit at position 19)" },
	{ DAEMON APEER "psk = 0x" PSK_HEX "5\n", 7, "psk: odd number of hex digits" },
	{ DAEMON APEER "psk = 0x" PSK_HEX PSK_HEX PSK_HEX PSK_HEX PSK_HEX PSK_HEX PSK_HEX PSK_HEX
	  PSK_HEX PSK_HEX PSK_HEX PSK_HEX PSK_HEX PSK_HEX PSK_HEX PSK_HEX "00\n", 7,
	  "psk: the key is 257 bytes; at most 256 are allowed" },
	{ DAEMON APEER "psk = \"" PSK_STR "\n", 7, "psk: a quoted key must end with \" and hold no \" inside" },
	{ DAEMON APEER "psk = \"Kx9Vq-Kx9Vq\"-Kx9Vq-Kx9Vq\"\n", 7, "psk: a quoted key must end with" },
	{ DAEMON APEER "psk = \"\n", 7, "psk: a quoted key must end with" },
	{ DAEMON APEER "psk = \"" PSK_STR "\"x\n", 7, "psk: a quoted key must end with" },
	{ DAEMON APEER "psk = \"" PSK_STR "\"# not a comment\n", 7, "psk: a quoted key must end with" },
	{ DAEMON APEER "psk = \"Kx9Vq # Kx9Vq\n", 7, "psk: a quoted key must end with" },
	{ DAEMON APEER "psk = @b.psk\n", 7, "psk: key files (@PATH) are not allowed here" },
	{ DAEMON APEER "psk = @\n", 7, "psk: \"@\" needs a file name" },
	{ DI "psk = \"" PSK_STR "\"\n", 8, "duplicate key \"psk\" (first set on line 7)" },
	{ DAEMON APEER "psk Kx9Vq-Kx9Vq-Kx9Vq\n", 7, "expected \"key = value\"" },
	{ DAEMON APEER "psk Kx9Vq = 1\n", 7, "bad key name ; keys are" },

	/* local-id, remote-id */
	{ DI "local-id = gw.example.org\n", 8, "local-id: \"gw.example.org\" is not fqdn:NAME, email:ADDR, ip:ADDRESS or dn:DN" },
	{ DI "remote-id = FQDN:gw.example.org\n", 8, "remote-id: \"FQDN:gw.example.org\" is not fqdn:NAME" },
	{ DI "local-id =\n", 8, "local-id: \"\" is not fqdn:NAME" },
	{ DI "local-id = fqdn:\n", 8, "local-id: fqdn:\"\" is not a domain name" },
	{ DI "local-id = fqdn:a..example\n", 8, "local-id: fqdn:\"a..example\" is not a domain name" },
	{ DI "local-id = fqdn:.example\n", 8, "is not a domain name" },
	{ DI "local-id = fqdn:example.\n", 8, "is not a domain name" },
	{ DI "local-id = fqdn:gw example\n", 8, "is not a domain name" },
	{ DI "local-id = fqdn:gw/example\n", 8, "is not a domain name" },
	{ DI "local-id = fqdn:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b\n", 8, "is not a domain name" },
	{ DI "remote-id = email:ops\n", 8, "remote-id: email:\"ops\" is not an address LOCAL@DOMAIN" },
	{ DI "remote-id = email:@example.org\n", 8, "is not an address LOCAL@DOMAIN" },
	{ DI "remote-id = email:ops@\n", 8, "is not an address LOCAL@DOMAIN" },
	{ DI "remote-id = email:a@b@c\n", 8, "is not an address LOCAL@DOMAIN" },
	{ DI "remote-id = email:o ps@example.org\n", 8, "is not an address LOCAL@DOMAIN" },
	{ DI "remote-id = email:ops@exa mple.org\n", 8, "is not an address LOCAL@DOMAIN" },
	{ DI "local-id = ip:10.0.0.300\n", 8, "local-id: \"10.0.0.300\" is not an IPv4 or IPv6 address" },
	{ DI "local-id = ip:10.0.0.0/8\n", 8, "is not an IPv4 or IPv6 address" },
	{ DI "local-id = ip:224.0.0.1\n", 8, "local-id: \"224.0.0.1\" is not a unicast address" },
	{ DI "local-id = ip:\n", 8, "local-id: \"\" is not an IPv4 or IPv6 address" },
	{ DI "local-id = dn:\n", 8, "local-id: dn: empty part" },
	{ DI "local-id = dn:CN=a,,O=b\n", 8, "local-id: dn: empty part (\",,\" or \",\" at an end)" },
	{ DI "local-id = dn:CN=a,\n", 8, "dn: empty part" },
	{ DI "local-id = dn:CN\n", 8, "local-id: dn: \"CN\" is not TYPE=VALUE" },
	{ DI "local-id = dn:XX=a\n", 8, "local-id: dn: unknown attribute type \"XX\" (known: C, ST" },
	{ DI "local-id = dn:=a\n", 8, "unknown attribute type \"\"" },
	{ DI "local-id = dn:CN=\n", 8, "local-id: dn: CN value \"\" is empty" },
	{ DI "local-id = dn:C=CHE\n", 8, "local-id: dn: C value \"CHE\" is not allowed for it" },
	{ DI "local-id = dn:C=C\xc3\xa9\n", 8, "dn: C value" },
	{ DI "local-id = dn:E=z\xc3\xbcrich@example.org\n", 8, "dn: E value \"z\xc3\xbcrich@example.org\" is not allowed" },
	{ DI "local-id = dn:serialNumber=12_34\n", 8, "dn: serialNumber value \"12_34\" is not allowed" },
	{ DI "local-id = dn:CN=a\\,b\n", 8, "local-id: dn: escapes, quotes, \";\" and multi-valued RDNs (\"+\") are not supported" },
	{ DI "local-id = dn:CN=a+O=b\n", 8, "multi-valued RDNs" },
	{ DI "local-id = dn:CN=\"a\"\n", 8, "dn: escapes, quotes" },
	{ DI "local-id = dn:CN=a;O=b\n", 8, "dn: escapes, quotes" },
	{ DI "remote-id = dn:CN=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,"
	  "O=" B50 B50 B50 "\n",
	  8, "remote-id: dn: the encoded name is longer than 255 bytes" },
	{ DI "local-id = fqdn:a.example\nlocal-id = fqdn:b.example\n", 9, "duplicate key \"local-id\" (first set on line 8)" },

	/* Proposals: syntax only. */
	{ DI "ike-proposals =\n", 8, "ike-proposals: empty proposal (\",,\" or \",\" at an end)" },
	{ DI "ike-proposals = aes256gcm16-prfsha256-x25519,,aes128gcm16-prfsha256-ecp256\n", 8, "ike-proposals: empty proposal" },
	{ DI "esp-proposals = aes256gcm16,\n", 8, "esp-proposals: empty proposal" },
	{ DI "esp-proposals = AES256GCM16\n", 8, "esp-proposals: \"AES256GCM16\" is not a proposal (words of a-z 0-9 joined by \"-\")" },
	{ DI "esp-proposals = aes256gcm16 aes128gcm16\n", 8, "\"aes256gcm16 aes128gcm16\" is not a proposal" },
	{ DI "esp-proposals = aes256gcm16--esn\n", 8, "\"aes256gcm16--esn\" is not a proposal" },
	{ DI "esp-proposals = -aes256gcm16\n", 8, "is not a proposal" },
	{ DI "esp-proposals = aes256gcm16-\n", 8, "is not a proposal" },
	{ DI "esp-proposals = aes_gcm\n", 8, "\"aes_gcm\" is not a proposal" },
	{ DI "esp-proposals = aes128gcm16, aes256gcm16 ,aes128gcm16\n", 8, "esp-proposals: \"aes128gcm16\" is listed twice" },
	{ DI "ike-proposals = " P17 "\n", 8, "ike-proposals: more than 16 proposals" },
	{ DI "ike-proposals = x1," A64 A64 "\n", 8,
	  "ike-proposals: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is longer than 127 characters" },

	/* start, switches */
	{ DI "start = now\n", 8, "start: \"now\" is not initiate, trap or wait" },
	{ DI "fragmentation = maybe\n", 8, "fragmentation: \"maybe\" is not no or yes" },
	{ DI "fragment-size = 575\n", 8, "fragment-size: \"575\" is out of range (576..65535)" },
	{ DI "fragment-size = 65536\n", 8, "fragment-size: \"65536\" is out of range (576..65535)" },
	{ DI "nat-traversal = on\n", 8, "nat-traversal: \"on\" is not no or yes" },

	/* Durations and counts. */
	{ DI "ike-lifetime = 59\n", 8, "ike-lifetime: \"59\" is out of range (1m..30d)" },
	{ DI "ike-lifetime = 31d\n", 8, "ike-lifetime: \"31d\" is out of range (1m..30d)" },
	{ DI "ike-lifetime = 1w\n", 8, "ike-lifetime: \"1w\" is not a duration (a number with ms, s, m, h or d)" },
	{ DI "ike-lifetime = 1.5h\n", 8, "\"1.5h\" is not a duration" },
	{ DI "ike-lifetime = 4 h\n", 8, "\"4 h\" is not a duration" },
	{ DI "ike-lifetime = 4H\n", 8, "\"4H\" is not a duration" },
	{ DI "ike-lifetime = h\n", 8, "\"h\" is not a duration" },
	{ DI "ike-lifetime = -1h\n", 8, "is not a duration" },
	{ DI "ike-lifetime = 0x10\n", 8, "is not a duration" },
	{ DI "ike-lifetime =\n", 8, "ike-lifetime: \"\" is not a duration" },
	{ DI "ike-lifetime = 99999999999999999999999d\n", 8, "is out of range (1m..30d)" },
	{ DI "child-lifetime = 0\n", 8, "child-lifetime: \"0\" is out of range (1m..30d)" },
	{ DI "child-lifetime = 59999ms\n", 8, "child-lifetime: \"59999ms\" is out of range" },
	{ DI "child-lifetime = 60001ms\n", 8, "child-lifetime: \"60001ms\" is not a whole number of seconds" },
	{ DI "rekey-margin = 0\n", 8, "rekey-margin: \"0\" is out of range (1s..1d)" },
	{ DI "rekey-margin = 1500ms\n", 8, "rekey-margin: \"1500ms\" is not a whole number of seconds" },
	{ DI "rekey-jitter = 25h\n", 8, "rekey-jitter: \"25h\" is out of range (0s..1d)" },
	{ DI "dpd-delay = 86401\n", 8, "dpd-delay: \"86401\" is out of range (0s..1d)" },
	{ DI "dpd-delay = 1d1h\n", 8, "is not a duration" },
	{ DI "nat-keepalive = 3601\n", 8, "nat-keepalive: \"3601\" is out of range (0s..1h)" },
	{ DI "nat-keepalive = 1.5s\n", 8, "nat-keepalive: " },
	{ DI "retransmit-timeout = 99ms\n", 8, "retransmit-timeout: \"99ms\" is out of range (100ms..1m)" },
	{ DI "retransmit-timeout = 61s\n", 8, "retransmit-timeout: \"61s\" is out of range (100ms..1m)" },
	{ DI "retransmit-tries = 17\n", 8, "retransmit-tries: \"17\" is out of range (0..16)" },
	{ DI "retransmit-tries = 2x\n", 8, "retransmit-tries: \"2x\" is not a number" },
	{ DI "child-lifetime-bytes = 1T\n", 8, "child-lifetime-bytes: \"1T\" is not a number (digits with an optional K, M or G)" },
	{ DI "child-lifetime-bytes = 1k\n", 8, "\"1k\" is not a number" },
	{ DI "child-lifetime-bytes = 1KB\n", 8, "\"1KB\" is not a number" },
	{ DI "child-lifetime-bytes = K\n", 8, "\"K\" is not a number" },
	{ DI "child-lifetime-bytes = -1\n", 8, "is not a number" },
	{ DI "child-lifetime-bytes =\n", 8, "child-lifetime-bytes: \"\" is not a number" },
	{ DI "child-lifetime-bytes = 9223372036854775808\n", 8, "child-lifetime-bytes: \"9223372036854775808\" is out of range (at most 2^63 - 1)" },
	{ DI "child-lifetime-packets = 8589934592G\n", 8, "child-lifetime-packets: \"8589934592G\" is out of range" },
	{ DI "child-lifetime-packets = 99999999999999999999999\n", 8, "is out of range" },

	/* Rekeying must start before the lifetime ends. */
	{ DI "child-lifetime = 18m\n", 8, "peer \"b\": rekey-margin (540s) + rekey-jitter (540s) must be less than child-lifetime (1080s)" },
	{ DI "ike-lifetime = 10m\nchild-lifetime = 5m\nrekey-margin = 1m\nrekey-jitter = 4m\n", 11,
	  "rekey-margin (60s) + rekey-jitter (240s) must be less than child-lifetime (300s)" },
	{ DI "rekey-margin = 1h\n", 8, "rekey-margin (3600s) + rekey-jitter (540s) must be less than child-lifetime (3600s)" },
	{ DI "rekey-jitter = 20h\nchild-lifetime = 30d\n", 8, "must be less than ike-lifetime (14400s)" },
	{ DI "ike-lifetime = 1000\nrekey-margin = 460\n", 9, "rekey-margin (460s) + rekey-jitter (540s) must be less than ike-lifetime (1000s)" },
	{ DI "ike-lifetime = 1000\nrekey-margin = 459\n[peer c]\n", 10, "peer \"c\": missing \"address\"" },
};

static void check_no_key(const struct err_case *ec, const char *reason)
{
	const char *keys[] = { K20, K32, "a0a1a2a3", "c0c1c2c3", "Kx9",
			       "x9V", "9Vq", "5ec2e7", "c2e75e", "e75ec2",
			       "hunter" };
	unsigned i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strstr(reason, keys[i]))
			test_fail(__FILE__, __LINE__, "case \"%s\": key in "
				  "reason \"%s\"", ec->reason, reason);
}

static void check_case(const struct err_case *ec, const char *text,
		       size_t len)
{
	static const struct conf zero;
	struct conf c;
	struct conf_error e;
	int rc;

	memset(&c, 0xa5, sizeof(c));
	rc = conf_parse_text("t.conf", text, len, NULL, &c, &e);
	if (rc != -EINVAL || e.line != ec->line ||
	    !strstr(e.reason, ec->reason))
		test_fail(__FILE__, __LINE__, "case \"%s\": rc %d line %u "
			  "(want %u): %s", ec->reason, rc, e.line, ec->line,
			  e.reason);
	if (memcmp(&c, &zero, sizeof(c)))
		test_fail(__FILE__, __LINE__, "case \"%s\": output not zeroed",
			  ec->reason);
	if (strcmp(e.file, "t.conf"))
		test_fail(__FILE__, __LINE__, "file \"%s\"", e.file);
	check_no_key(ec, e.reason);
	conf_free(&c);
}

TEST(conf_error_cases)
{
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i], cases[i].text, strlen(cases[i].text));
	CHECK(sizeof(cases) / sizeof(cases[0]) >= 40);
}

/* The same cases with CRLF line endings give the same lines and reasons
 * (except those about the bytes of a line). */
TEST(conf_error_cases_crlf)
{
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].text;
		size_t n = strlen(t), j, o = 0;
		char *crlf = malloc(2 * n + 1);

		REQUIRE(crlf);
		for (j = 0; j < n; j++) {
			if (t[j] == '\n')
				crlf[o++] = '\r';
			crlf[o++] = t[j];
		}
		if (!strstr(cases[i].reason, "control byte 0x0d"))
			check_case(&cases[i], crlf, o);
		free(crlf);
	}
}

TEST(conf_error_nul_byte)
{
	static const char text[] = DAEMON "port = 45\0" "00\n";
	static const struct err_case ec = { NULL, 3, "NUL byte in line (column 10)" };

	check_case(&ec, text, sizeof(text) - 1);
}

TEST(conf_error_line_too_long)
{
	static const struct err_case ec4097 = { NULL, 4, "line is longer than 4096 bytes" };
	size_t pre = strlen(DAEMON "#\n");
	char *text = malloc(pre + 4097 + 2);
	struct conf c;
	struct conf_error e;

	REQUIRE(text);
	memcpy(text, DAEMON "#\n", pre);
	/* A line of exactly 4096 bytes (here a comment) is accepted. */
	text[pre] = '#';
	memset(text + pre + 1, 'x', 4095);
	text[pre + 4096] = '\n';
	CHECK_EQ(conf_parse_text("t.conf", text, pre + 4097, NULL, &c, &e), 0);
	conf_free(&c);
	memset(text + pre + 1, 'x', 4096);
	text[pre + 4097] = '\n';
	check_case(&ec4097, text, pre + 4098);
	/* Also without a final newline. */
	check_case(&ec4097, text, pre + 4097);
	free(text);
}

TEST(conf_error_file_too_large)
{
	static const struct err_case ec = { NULL, 0, "file is larger than 1048576 bytes" };
	size_t n = CONF_FILE_MAX + 1;
	char *text = malloc(n);

	REQUIRE(text);
	memset(text, '\n', n);
	check_case(&ec, text, n);
	free(text);
}

TEST(conf_error_first_wins)
{
	/* Two bad lines: the first is reported. */
	static const struct err_case ec = { NULL, 3, "port: \"x\" is not" };
	static const char text[] = DAEMON "port = x\nmtu = y\n";

	check_case(&ec, text, sizeof(text) - 1);
}

TEST(conf_error_format)
{
	struct conf_error e = { "tunsecd.conf", 12, "spi: \"0x\" is not a number" };
	char buf[600];

	CHECK(!strcmp(conf_error_format(&e, buf, sizeof(buf)),
		      "tunsecd.conf:12: spi: \"0x\" is not a number"));
	e.line = 0;
	CHECK(!strcmp(conf_error_format(&e, buf, sizeof(buf)),
		      "tunsecd.conf: spi: \"0x\" is not a number"));
}

/* No six bytes in a row of a refused psk value show up in the reason. */
static bool echoes(const char *reason, const char *v)
{
	size_t n = strlen(v), i;
	char w[7];

	for (i = 0; i + 6 <= n; i++) {
		memcpy(w, v + i, 6);
		w[6] = '\0';
		if (strstr(reason, w))
			return true;
	}
	return false;
}

TEST(conf_error_psk_never_echoed)
{
	static const char *const prefixes[] = { "0x", "0X", "\"", "", "0x0" };
	static const char alphabet[] = "0123456789abcdefABCDEFgxz\"# \t";
	char v[64], text[256];
	struct conf c;
	struct conf_error e;
	unsigned i, j, len, refused = 0;

	for (i = 0; i < 2000; i++) {
		int n = snprintf(v, sizeof(v), "%s", prefixes[test_rand() % 5]);

		len = (unsigned)(test_rand() % 48);
		for (j = 0; j < len; j++)
			v[n + j] = alphabet[test_rand() % (sizeof(alphabet) - 1)];
		v[n + len] = '\0';
		snprintf(text, sizeof(text), DAEMON APEER "psk = %s\n", v);
		if (!conf_parse_text("t", text, strlen(text), NULL, &c, &e)) {
			conf_free(&c);
			continue;
		}
		refused++;
		if (echoes(e.reason, v))
			test_fail(__FILE__, __LINE__, "psk = %s: %s", v, e.reason);
	}
	CHECK(refused > 1000);
}
