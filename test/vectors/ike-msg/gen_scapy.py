#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write test/vectors/ike-msg/scapy.txt: IKEv2 messages built by scapy's
independent IKEv2 implementation (scapy.contrib.ikev2), each with the values
it was built from rendered as text, for test/unit/test_ike_vectors.c.

    /usr/bin/python3 test/vectors/ike-msg/gen_scapy.py   # from the source root

Every message is described once, as plain values (the `msgs` list below);
the same values are handed to scapy to build the bytes and rendered
directly into the `expect` lines. Nothing here uses tunsec. The output is
deterministic (fixed patterns, no randomness). Scapy quirks worked around:
IPv6 selectors need length=40 (scapy's default is 20); transforms with a
Key Length attribute need length=12; Delete bodies are given raw (scapy's
Delete class has a single opaque field); ID and CP payloads get an explicit
length (scapy's classes compute it from a field they do not have);
proposals get an explicit SPI size and notifications an explicit SPI size
and length (scapy leaves the SPI out of both lengths otherwise); the
critical bit is given as the value 0x80 (scapy's "critical" flag name is
bit 0, not bit 7 of RFC 7296 §3.2).
"""
import struct
import sys

from scapy.contrib.ikev2 import (
    IKEv2, IKEv2_payload, IKEv2_payload_AUTH, IKEv2_payload_CERT_STR,
    IKEv2_payload_CERTREQ, IKEv2_payload_CP, IKEv2_payload_Delete,
    IKEv2_payload_Encrypted, IKEv2_payload_Encrypted_Fragment,
    IKEv2_payload_IDi, IKEv2_payload_IDr, IKEv2_payload_KE,
    IKEv2_payload_Nonce, IKEv2_payload_Notify, IKEv2_payload_Proposal,
    IKEv2_payload_SA, IKEv2_payload_Transform, IKEv2_payload_TSi,
    IKEv2_payload_TSr, IKEv2_payload_VendorID, IPv4TrafficSelector,
    IPv6TrafficSelector)
import scapy

OUT = "test/vectors/ike-msg/scapy.txt"


def pat(n, start):
    """n bytes counting up from start (mod 256)."""
    return bytes((start + i) & 0xff for i in range(n))


def hx(b):
    return b.hex() if b else "-"


# ---- values -> scapy layers, and values -> expected text --------------

def sa_layer(props):
    plist = None
    for p in props:
        xs = None
        for (t, i, k) in p["xf"]:
            x = (IKEv2_payload_Transform(transform_type=t, transform_id=i,
                                         length=12, key_length=k)
                 if k else IKEv2_payload_Transform(transform_type=t,
                                                   transform_id=i))
            xs = x if xs is None else xs / x
        prop = IKEv2_payload_Proposal(proposal=p["num"], proto=p["proto"],
                                      SPIsize=len(p["spi"]), SPI=p["spi"],
                                      trans_nb=len(p["xf"]), trans=xs)
        plist = prop if plist is None else plist / prop
    return IKEv2_payload_SA(prop=plist)


def sa_text(props):
    parts = []
    for p in props:
        s = "%d:%d:%s" % (p["num"], p["proto"], hx(p["spi"]))
        for (t, i, k) in p["xf"]:
            s += " %d.%d" % (t, i) + (".%d" % k if k else "")
        parts.append(s)
    return "SA " + " | ".join(parts)


def ts_layer(cls, sels):
    out = []
    for s in sels:
        if s["type"] == 7:
            out.append(IPv4TrafficSelector(
                IP_protocol_ID=s["proto"], start_port=s["ports"][0],
                end_port=s["ports"][1], starting_address_v4=s["addrs"][0],
                ending_address_v4=s["addrs"][1]))
        else:
            out.append(IPv6TrafficSelector(
                IP_protocol_ID=s["proto"], length=40,
                start_port=s["ports"][0], end_port=s["ports"][1],
                starting_address_v6=s["addrs"][0],
                ending_address_v6=s["addrs"][1]))
    return cls(number_of_TSs=len(out), traffic_selector=out)


def ip_hex(a):
    import ipaddress
    return ipaddress.ip_address(a).packed.hex()


def ts_text(name, sels):
    s = name
    for t in sels:
        s += " %d/%d/%d-%d/%s-%s" % (t["type"], t["proto"], t["ports"][0],
                                     t["ports"][1], ip_hex(t["addrs"][0]),
                                     ip_hex(t["addrs"][1]))
    return s


def layer(p):
    k = p["kind"]
    if k == "SA":
        return sa_layer(p["props"])
    if k == "KE":
        return IKEv2_payload_KE(group=p["group"], load=p["data"])
    if k in ("IDi", "IDr"):
        cls = IKEv2_payload_IDi if k == "IDi" else IKEv2_payload_IDr
        # scapy's IDi computes its length from a field it does not have:
        # give the length.
        n = 8 + len(p["data"])
        if p["type"] in (1, 5):
            import ipaddress
            return cls(IDtype=p["type"], length=n,
                       ID=str(ipaddress.ip_address(p["data"])))
        return cls(IDtype=p["type"], length=n, ID=p["data"])
    if k == "CERT":
        return IKEv2_payload_CERT_STR(cert_type=p["enc"], cert_data=p["data"])
    if k == "CERTREQ":
        return IKEv2_payload_CERTREQ(cert_type=p["enc"], cert_data=p["data"])
    if k == "AUTH":
        return IKEv2_payload_AUTH(auth_type=p["method"], load=auth_data(p))
    if k == "Nonce":
        return IKEv2_payload_Nonce(load=p["data"])
    if k == "N":
        return IKEv2_payload_Notify(
            proto=p["proto"], SPIsize=len(p["spi"]), SPI=p["spi"],
            length=8 + len(p["spi"]) + len(p["data"]), type=p["type"],
            load=p["data"])
    if k == "D":
        body = struct.pack("!BBH", p["proto"], p["spi_size"],
                           p["count"]) + p["spis"]
        return IKEv2_payload_Delete(vendorID=body)
    if k == "V":
        return IKEv2_payload_VendorID(vendorID=p["data"])
    if k in ("TSi", "TSr"):
        return ts_layer(IKEv2_payload_TSi if k == "TSi" else
                        IKEv2_payload_TSr, p["sels"])
    if k == "CP":
        return IKEv2_payload_CP(CFGType=p["cfg"], length=8, attributes=[])
    if k == "SK":
        return IKEv2_payload_Encrypted(next_payload=p["next"], load=p["data"])
    if k == "SKF":
        return IKEv2_payload_Encrypted_Fragment(
            next_payload=p["next"], frag_number=p["num"],
            frag_total=p["total"], load=p["data"])
    if k == "unknown":
        return IKEv2_payload(flags=0x80 if p["critical"] else 0,
                             load=p["data"])
    raise ValueError(k)


def auth_data(p):
    if p["method"] == 14:
        return bytes([len(p["alg"])]) + p["alg"] + p["sig"]
    return p["data"]


def text(p):
    k = p["kind"]
    if k == "SA":
        return sa_text(p["props"])
    if k == "KE":
        return "KE %d %s" % (p["group"], hx(p["data"]))
    if k in ("IDi", "IDr"):
        return "%s %d %s" % (k, p["type"], hx(p["data"]))
    if k in ("CERT", "CERTREQ"):
        return "%s %d %s" % (k, p["enc"], hx(p["data"]))
    if k == "AUTH":
        s = "AUTH %d %s" % (p["method"], hx(auth_data(p)))
        if p["method"] == 14:
            s += " sig %s %s" % (hx(p["alg"]), hx(p["sig"]))
        return s
    if k == "Nonce":
        return "Nonce " + hx(p["data"])
    if k == "N":
        return "N %d %s %d %s" % (p["proto"], hx(p["spi"]), p["type"],
                                  hx(p["data"]))
    if k == "D":
        return "D %d %d %d %s" % (p["proto"], p["spi_size"], p["count"],
                                  hx(p["spis"]))
    if k == "V":
        return "V " + hx(p["data"])
    if k in ("TSi", "TSr"):
        return ts_text(k, p["sels"])
    if k == "CP":
        return "CP " + hx(bytes([p["cfg"], 0, 0, 0]))
    if k == "SK":
        return "SK %d %d" % (p["next"], len(p["data"]))
    if k == "SKF":
        return "SKF %d/%d %d %d" % (p["num"], p["total"], p["next"],
                                    len(p["data"]))
    return None  # unknown payloads are not listed


TYPE = {"SA": 33, "KE": 34, "IDi": 35, "IDr": 36, "CERT": 37, "CERTREQ": 38,
        "AUTH": 39, "Nonce": 40, "N": 41, "D": 42, "V": 43, "TSi": 44,
        "TSr": 45, "SK": 46, "CP": 47, "SKF": 53}


def build(m):
    h = m["hdr"]
    pkt = IKEv2(init_SPI=h["spi_i"], resp_SPI=h["spi_r"], exch_type=h["exch"],
                flags=h["flags"], id=h["mid"],
                version=h.get("version", 0x20))
    pls = m["payloads"]
    layers = [layer(p) for p in pls]
    # Chain explicitly: scapy overloads next_payload only for the classes
    # it names, and our unknown payloads use its generic class.
    pkt.next_payload = pl_type(pls[0]) if pls else 0
    for i, l in enumerate(layers):
        if pls[i]["kind"] not in ("SK", "SKF"):
            l.next_payload = pl_type(pls[i + 1]) if i + 1 < len(pls) else 0
        pkt = pkt / l
    return bytes(pkt)


def pl_type(p):
    return p["type_no"] if p["kind"] == "unknown" else TYPE[p["kind"]]


# ---- the messages ------------------------------------------------------

SPI_I = pat(8, 0x11)
SPI_R = pat(8, 0xa1)
NONE8 = bytes(8)

sa_init_props = [
    {"num": 1, "proto": 1, "spi": b"", "xf": [
        (1, 20, 256), (1, 20, 128), (1, 28, 0), (2, 5, 0), (2, 7, 0),
        (4, 19, 0), (4, 31, 0), (4, 14, 0)]},
    {"num": 2, "proto": 1, "spi": b"", "xf": [
        (1, 12, 256), (2, 6, 0), (3, 13, 0), (4, 20, 0)]},
]

child_props = [
    {"num": 1, "proto": 3, "spi": bytes.fromhex("c0ffee01"), "xf": [
        (1, 20, 256), (5, 0, 0), (5, 1, 0)]},
    {"num": 2, "proto": 3, "spi": bytes.fromhex("c0ffee01"), "xf": [
        (1, 12, 128), (3, 12, 0), (5, 0, 0)]},
]

sels_i = [
    {"type": 7, "proto": 0, "ports": (0, 65535),
     "addrs": ("10.1.0.0", "10.1.255.255")},
    {"type": 8, "proto": 17, "ports": (500, 4500),
     "addrs": ("2001:db8::", "2001:db8::ffff")},
]
sels_r = [
    {"type": 7, "proto": 6, "ports": (443, 443),
     "addrs": ("192.0.2.7", "192.0.2.7")},
]

# AlgorithmIdentifier for ecdsa-with-SHA256 (RFC 7427 Appendix A.4.1).
ECDSA_SHA256 = bytes.fromhex("300a06082a8648ce3d040302")

msgs = [
    {"name": "IKE_SA_INIT request", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": NONE8, "exch": 34, "flags": 0x08,
             "mid": 0},
     "payloads": [
         {"kind": "SA", "props": sa_init_props},
         {"kind": "KE", "group": 19, "data": pat(64, 0x40)},
         {"kind": "Nonce", "data": pat(32, 0x80)},
         {"kind": "N", "proto": 0, "spi": b"", "type": 16388,
          "data": pat(20, 0x01)},
         {"kind": "N", "proto": 0, "spi": b"", "type": 16389,
          "data": pat(20, 0x21)},
         {"kind": "N", "proto": 0, "spi": b"", "type": 16430, "data": b""},
         {"kind": "N", "proto": 0, "spi": b"", "type": 16431,
          "data": bytes.fromhex("000200030004")},
         {"kind": "V", "data": b"tunsec-test-vendor"},
     ]},
    {"name": "IKE_SA_INIT response", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 34, "flags": 0x20,
             "mid": 0},
     "payloads": [
         {"kind": "SA", "props": [{"num": 1, "proto": 1, "spi": b"", "xf": [
             (1, 20, 256), (2, 5, 0), (4, 19, 0)]}]},
         {"kind": "KE", "group": 19, "data": pat(64, 0xc0)},
         {"kind": "Nonce", "data": pat(16, 0x30)},
         {"kind": "CERTREQ", "enc": 4, "data": pat(40, 0x55)},
         {"kind": "N", "proto": 0, "spi": b"", "type": 16430, "data": b""},
     ]},
    {"name": "COOKIE response", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": NONE8, "exch": 34, "flags": 0x20,
             "mid": 0},
     "payloads": [
         {"kind": "N", "proto": 0, "spi": b"", "type": 16390,
          "data": pat(32, 0x99)},
     ]},
    {"name": "INVALID_KE_PAYLOAD response", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": NONE8, "exch": 34, "flags": 0x20,
             "mid": 0},
     "payloads": [
         {"kind": "N", "proto": 0, "spi": b"", "type": 17,
          "data": bytes.fromhex("0013")},
     ]},
    {"name": "IKE_AUTH request, inner payloads in clear", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 35, "flags": 0x08,
             "mid": 1},
     "payloads": [
         {"kind": "IDi", "type": 2, "data": b"alice.example.org"},
         {"kind": "CERT", "enc": 4, "data": pat(48, 0x30)},
         {"kind": "CERTREQ", "enc": 4, "data": pat(20, 0x77)},
         {"kind": "N", "proto": 0, "spi": b"", "type": 16384, "data": b""},
         {"kind": "IDr", "type": 1, "data": bytes([192, 0, 2, 1])},
         {"kind": "AUTH", "method": 14, "alg": ECDSA_SHA256,
          "sig": pat(70, 0x10)},
         {"kind": "CP", "cfg": 1},
         {"kind": "N", "proto": 0, "spi": b"", "type": 16391, "data": b""},
         {"kind": "SA", "props": child_props},
         {"kind": "TSi", "sels": sels_i},
         {"kind": "TSr", "sels": sels_r},
     ]},
    {"name": "IKE_AUTH response, PSK, IPv6 identity", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 35, "flags": 0x20,
             "mid": 1},
     "payloads": [
         {"kind": "IDr", "type": 5,
          "data": bytes.fromhex("20010db8000000000000000000000001")},
         {"kind": "AUTH", "method": 2, "data": pat(32, 0xa0)},
         {"kind": "SA", "props": [{"num": 1, "proto": 3,
                                   "spi": bytes.fromhex("0badcafe"),
                                   "xf": [(1, 20, 256), (5, 0, 0)]}]},
         {"kind": "TSi", "sels": sels_i[:1]},
         {"kind": "TSr", "sels": sels_r},
     ]},
    {"name": "IKE_AUTH, encrypted", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 35, "flags": 0x08,
             "mid": 1},
     "payloads": [
         {"kind": "SK", "next": 35, "data": pat(8 + 40 + 16, 0x05)},
     ]},
    {"name": "IKE_AUTH, first of three fragments", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 35, "flags": 0x08,
             "mid": 1},
     "payloads": [
         {"kind": "SKF", "next": 35, "num": 1, "total": 3,
          "data": pat(8 + 100 + 16, 0x42)},
     ]},
    {"name": "IKE_AUTH, third of three fragments", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 35, "flags": 0x08,
             "mid": 1},
     "payloads": [
         {"kind": "SKF", "next": 0, "num": 3, "total": 3,
          "data": pat(8 + 20 + 16, 0x43)},
     ]},
    {"name": "CREATE_CHILD_SA rekey request, inner payloads in clear",
     "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 36, "flags": 0x00,
             "mid": 7},
     "payloads": [
         {"kind": "N", "proto": 3, "spi": bytes.fromhex("c0ffee01"),
          "type": 16393, "data": b""},
         {"kind": "SA", "props": child_props[:1]},
         {"kind": "Nonce", "data": pat(256, 0x00)},
         {"kind": "KE", "group": 31, "data": pat(32, 0x66)},
         {"kind": "TSi", "sels": sels_i},
         {"kind": "TSr", "sels": sels_r},
     ]},
    {"name": "IKE SA rekey request (8-byte SPI), in clear", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 36, "flags": 0x28,
             "mid": 8},
     "payloads": [
         {"kind": "SA", "props": [{"num": 1, "proto": 1,
                                   "spi": pat(8, 0xe0),
                                   "xf": [(1, 20, 256), (2, 7, 0),
                                          (4, 19, 0)]}]},
         {"kind": "Nonce", "data": pat(17, 0x70)},
         {"kind": "KE", "group": 19, "data": pat(64, 0x71)},
     ]},
    {"name": "INFORMATIONAL deletes, in clear", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 37, "flags": 0x20,
             "mid": 9},
     "payloads": [
         {"kind": "D", "proto": 3, "spi_size": 4, "count": 2,
          "spis": bytes.fromhex("c0ffee010badcafe")},
         {"kind": "D", "proto": 1, "spi_size": 0, "count": 0, "spis": b""},
         {"kind": "N", "proto": 3, "spi": bytes.fromhex("c0ffee01"),
          "type": 44, "data": b""},
     ]},
    {"name": "minor version 2.1, empty INFORMATIONAL", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 37, "flags": 0x08,
             "mid": 10, "version": 0x21},
     "payloads": []},
    {"name": "unknown non-critical payload skipped", "result": "OK",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 37, "flags": 0x08,
             "mid": 11},
     "payloads": [
         {"kind": "unknown", "type_no": 49, "critical": False,
          "data": b"ignored"},
         {"kind": "N", "proto": 0, "spi": b"", "type": 16384, "data": b""},
     ]},
    {"name": "unknown critical payload refused", "result": "CRITICAL 200",
     "hdr": {"spi_i": SPI_I, "spi_r": SPI_R, "exch": 37, "flags": 0x08,
             "mid": 12},
     "payloads": [
         {"kind": "N", "proto": 0, "spi": b"", "type": 16384, "data": b""},
         {"kind": "unknown", "type_no": 200, "critical": True,
          "data": b"must understand"},
     ]},
    {"name": "IKEv2 major version 3 refused", "result": "VERSION",
     "hdr": {"spi_i": SPI_I, "spi_r": NONE8, "exch": 34, "flags": 0x08,
             "mid": 0, "version": 0x30},
     "payloads": [
         {"kind": "Nonce", "data": pat(16, 0)},
     ]},
]


def wrap(field, value, width=64):
    lines = [value[i:i + width] for i in range(0, len(value), width)] or [""]
    out = "%-8s= %s\n" % (field, lines[0])
    for l in lines[1:]:
        out += "          %s\n" % l
    return out


def main():
    with open(OUT, "w") as f:
        f.write("# IKEv2 messages built by scapy %s (scapy.contrib.ikev2),\n"
                "# written by test/vectors/ike-msg/gen_scapy.py; read by\n"
                "# test/unit/test_ike_vectors.c. Do not edit: rerun the "
                "script.\n#\n"
                "# msg: the bytes scapy built. result: OK or the refusal "
                "expected.\n# expect: the values the message was built from,"
                " one payload a line,\n# in the order sent (unknown "
                "payloads are not listed; `skipped`\n# counts them).\n"
                "#   hdr SPIi SPIr exchange flags message-id\n"
                "#   SA num:proto:spi type.id[.keylen] ... | next proposal\n"
                "#   TSi type/ip-proto/start-end port/start-end address\n"
                "#   SK next body-length; SKF number/total next length\n"
                "# Empty byte strings are written `-`.\n"
                % scapy.__version__)
        for m in msgs:
            h = m["hdr"]
            f.write("\n")
            f.write("name    = %s\n" % m["name"])
            f.write("result  = %s\n" % m["result"])
            f.write(wrap("msg", build(m).hex()))
            f.write("expect  = hdr %s %s %d %d %d\n" %
                    (h["spi_i"].hex(), h["spi_r"].hex(), h["exch"],
                     h["flags"], h["mid"]))
            if m["result"] != "OK":
                continue
            for p in m["payloads"]:
                t = text(p)
                if t:
                    f.write("expect  = %s\n" % t)
            skipped = sum(1 for p in m["payloads"] if p["kind"] == "unknown")
            if skipped:
                f.write("expect  = skipped %d\n" % skipped)
    print("wrote", OUT, len(msgs), "messages", file=sys.stderr)


if __name__ == "__main__":
    main()
