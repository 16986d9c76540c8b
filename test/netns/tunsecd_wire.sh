#!/usr/bin/env bash
# What crosses the underlay while tunsecd protects a TCP flow: only ESP in
# UDP 4500, with the configured SPIs, and packets that an independent ESP
# implementation (scapy) decrypts with the configured key into the flow's
# TCP segments.
#
#  ns $A                                        ns $B
#  iperf3 client, clear TCP client :9100        iperf3 server :5201, listener :9100
#  tunsecd (aes-gcm-256, transport)             tunsecd
#  ua 10.201.0.1  <======== veth ========>  ub 10.201.0.2
#                                           tcpdump -i ub -w wire.pcap
#
# Protected (A's view): tcp rport 5201, tcp lport 5201, icmp. Port 9100 is
# not protected: a transfer on it during the capture must show up in clear
# text, which proves the capture and the filters can see a clear flow.
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"

PCAP= # set after lab_up

# decrypt_one SRC DST SPI KEYHEX: scapy decrypts the ESP-in-UDP packets
# SRC -> DST with SPI in the capture, up to the first that holds TCP, and
# prints its addresses and ports. Fails when one does not verify.
decrypt_one() {
	timeout 30 "$LAB_PY" - "$PCAP" "$@" <<'PY'
import struct, sys
from scapy.utils import PcapReader
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.packet import Raw

pcap, src, dst, spi, key = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4], 0), sys.argv[5]
# AES-GCM-256 with a 16-byte ICV, UDP-encapsulated (RFC 3948): the UDP
# header is taken off and the IP protocol set to ESP before decryption.
sa = SecurityAssociation(ESP, spi=spi, crypt_algo='AES-GCM',
                         crypt_key=bytes.fromhex(key))
for pkt in PcapReader(pcap):
    if IP not in pkt or UDP not in pkt[IP]:
        continue
    ip, udp = pkt[IP], pkt[IP][UDP]
    if ip.src != src or ip.dst != dst or udp.dport != 4500:
        continue
    if ip.flags.MF or ip.frag:
        continue  # a fragment: not the whole datagram

    esp = bytes(udp.payload)
    if len(esp) < 8 or struct.unpack('!I', esp[:4])[0] != spi:
        continue
    outer = IP(bytes(IP(src=ip.src, dst=ip.dst, proto=50) / Raw(esp)))
    inner = sa.decrypt(outer)  # raises when the ICV does not verify
    if TCP not in inner:
        continue  # e.g. the ping
    t = inner[TCP]
    print('%s:%d -> %s:%d seq %d' % (inner[IP].src, t.sport, inner[IP].dst, t.dport, t.seq))
    sys.exit(0)
sys.exit('no ESP packet %s -> %s with SPI 0x%x in the capture' % (src, dst, spi))
PY
}

lab_up
PCAP=$LAB_TMP/wire.pcap
TSD_CIPHER=aes-gcm-256
TSD_SELECTORS=("proto tcp rport 5201" "proto tcp lport 5201" "proto icmp")
tsd_start_pair

tsd_capture "$B" ub "$PCAP" 30 || lab_die "tcpdump did not start"
tsd_ping "$A" "$LAB_B4" 2 || lab_log "ping through tunsecd failed"
g=$(lab_iperf "$B" "$LAB_B4" "$A" 1 -b 40M) || g=
[ -n "$g" ] && pass iperf3_through_tunsecd || fail iperf3_through_tunsecd "no result"
lab_transfer_sha "$A" "$B" "$LAB_B4" 9100 $((256 << 10)) ||
	lab_log "clear-text control transfer failed"
tsd_capture_stop

total=$(tsd_tshark_count "$PCAP" frame)
esp=$(tsd_tshark_count "$PCAP" esp)
lab_log "capture: $total frames, $esp ESP"
[ "$esp" -gt 100 ] && pass wire_carries_esp || fail wire_carries_esp "only $esp ESP packets in $total frames"

n=$(tsd_tshark_count "$PCAP" "tcp.port==5201")
[ "$n" -eq 0 ] && pass no_clear_tcp_5201 || fail no_clear_tcp_5201 "$n clear-text packets of the protected flow"

# The control: the unprotected flow is visible in clear text.
n=$(tsd_tshark_count "$PCAP" "tcp.port==9100")
[ "$n" -gt 0 ] && pass clear_flow_visible_control || fail clear_flow_visible_control \
	"the unprotected transfer on port 9100 is not in the capture: the capture proves nothing"

# Between the two hosts, nothing but ESP in UDP (and ARP / neighbour
# discovery, and the control flow on 9100). Read without reassembly: a
# first fragment shows its own UDP header; a later fragment carries no
# header of its own and is judged with its first (fragmentation itself is
# checked next).
between="((ip.addr==$LAB_A4 && ip.addr==$LAB_B4) || (ipv6.addr==$LAB_A6 && ipv6.addr==$LAB_B6))"
other="$between && !(udp.port==4500) && !(ip.frag_offset>0) && !(tcp.port==9100) && !arp && !(icmpv6.type>=133 && icmpv6.type<=137)"
n=$(tsd_tshark_count "$PCAP" "$other" -o ip.defragment:FALSE)
[ "$n" -eq 0 ] && pass only_esp_between_hosts || fail only_esp_between_hosts \
	"$n packets between the hosts are not ESP in UDP 4500: $(timeout 20 tshark -o ip.defragment:FALSE -n -r "$PCAP" -Y "$other" 2>/dev/null | head -n 3)"

# The TUN MTU leaves room for the ESP overhead, so no ESP datagram needs IP
# fragmentation on a 1500-byte underlay.
n=$(tsd_tshark_count "$PCAP" "$between && (ip.flags.mf==1 || ip.frag_offset>0 || ipv6.fragment)")
if [ "$n" -eq 0 ]; then
	pass esp_not_fragmented
else
	fail esp_not_fragmented "$n IP fragments between the hosts (ESP datagrams larger than the path MTU the sender used)"
	lab_log "A's route cache: $(ip -n "$A" route show cache | tr '\n' ' ')"
fi

# SPIs on the wire: exactly the configured two (port 4500 decoded as ESP
# in UDP explicitly, RFC 3948).
spis=$(timeout 30 tshark -n -r "$PCAP" -d udp.port==4500,udpencap -Y esp -T fields -e esp.spi 2>/dev/null |
	sort -u | tr '\n' ' ')
want=$(printf '0x%08x 0x%08x ' "$TSD_SPI_AB" "$TSD_SPI_BA")
[ "$spis" = "$want" ] && pass esp_spis_configured || fail esp_spis_configured "SPIs '$spis', want '$want'"

# No sequence number twice per SPI (the IV of AES-GCM is the sequence
# number: a repeat would reuse a nonce).
seqs=$(timeout 30 tshark -n -r "$PCAP" -Y esp -T fields -e esp.spi -e esp.sequence 2>/dev/null)
n=$(grep -c . <<<"$seqs")
dups=$(sort <<<"$seqs" | uniq -d | wc -l)
[ "$n" -gt 100 ] && [ "$dups" -eq 0 ] && pass esp_seq_unique ||
	fail esp_seq_unique "$dups repeated (SPI, sequence) pairs among $n"

if out=$(decrypt_one "$LAB_A4" "$LAB_B4" "$TSD_SPI_AB" "$TSD_KEY_AB" 2>&1) &&
	[[ $out == *"-> $LAB_B4:5201 "* ]]; then
	pass scapy_decrypts_a_to_b
else
	fail scapy_decrypts_a_to_b "$out"
fi
lab_log "A -> B decrypted: $out"
if out=$(decrypt_one "$LAB_B4" "$LAB_A4" "$TSD_SPI_BA" "$TSD_KEY_BA" 2>&1) &&
	[[ $out == "$LAB_B4:5201 -> "* ]]; then
	pass scapy_decrypts_b_to_a
else
	fail scapy_decrypts_b_to_a "$out"
fi
lab_log "B -> A decrypted: $out"
# The wrong key must not decrypt (the check above can fail).
if out=$(decrypt_one "$LAB_A4" "$LAB_B4" "$TSD_SPI_AB" "$TSD_KEY_BA" 2>&1); then
	fail scapy_wrong_key_fails "decrypted with the other direction's key: $out"
else
	pass scapy_wrong_key_fails
fi
tsd_stop_pair daemons_clean_exit
lab_finish
