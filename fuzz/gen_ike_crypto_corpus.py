#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write the seeds of fuzz/fuzz_ike_crypto.c into fuzz/corpus/ike_crypto/.

    /usr/bin/python3 fuzz/gen_ike_crypto_corpus.py

Encrypted payload bodies are sealed with cryptography's AESGCM,
ChaCha20Poly1305 and AES-CBC + HMAC under the target's fixed keys (0x01,
0x02, ... for the encryption key material, 0x41, 0x42, ... for the
integrity key), so the fuzzer starts from messages that open; key exchange
seeds are valid and invalid public values for each group.
"""
import os
import struct

from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "ike_crypto")
EKEY = bytes(range(0x01, 0x01 + 36))
AKEY = bytes(range(0x41, 0x41 + 64))
# Index in the target's table: (kind, key bytes, hash, icv length).
CIPHERS = [("gcm", 16, None, 16), ("gcm", 32, None, 16), ("chacha", 32, None, 16),
           ("cbc", 16, hashes.SHA256, 16), ("cbc", 32, hashes.SHA512, 32)]
GROUPS = [14, 19, 20, 31]  # picked by 5 + index
MODP_P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)


def aad_for(body_len):
    hdr = bytes(range(16)) + struct.pack(">BBBBII", 46, 0x20, 35, 0x08, 1, 32 + body_len)
    return hdr + struct.pack(">BBH", 41, 0, 4 + body_len)


def seal(idx, inner, padlen=None):
    kind, klen, h, icv = CIPHERS[idx]
    if kind == "cbc":
        pad = (-(len(inner) + 1)) % 16
        text = inner + bytes(pad) + bytes([pad if padlen is None else padlen])
        iv = bytes(range(0xa0, 0xb0))
        aad = aad_for(16 + len(text) + icv)
        enc = Cipher(algorithms.AES(EKEY[:klen]), modes.CBC(iv)).encryptor()
        ct = enc.update(text) + enc.finalize()
        m = hmac.HMAC(AKEY[:klen * 2 if klen == 16 else 64], h())
        m.update(aad + iv + ct)
        msg = aad + iv + ct + m.finalize()[:icv]
    else:
        text = inner + bytes([0 if padlen is None else padlen])
        iv = struct.pack(">Q", 7)
        aad = aad_for(8 + len(text) + icv)
        cls = AESGCM if kind == "gcm" else ChaCha20Poly1305
        msg = aad + iv + cls(EKEY[:klen]).encrypt(EKEY[klen:klen + 4] + iv, text, aad)
    return bytes([idx, len(aad)]) + msg


def ecp_point(curve, size):
    n = ec.derive_private_key(12345, curve).public_key().public_numbers()
    return n.x.to_bytes(size, "big") + n.y.to_bytes(size, "big")


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    for i in range(len(CIPHERS)):
        seeds["sk-%d-ok" % i] = seal(i, bytes(range(48)))
        seeds["sk-%d-empty" % i] = seal(i, b"")
        seeds["sk-%d-badpad" % i] = seal(i, bytes(5), padlen=200)
        seeds["sk-%d-short" % i] = seal(i, bytes(20))[:40]
    x = x25519.X25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
    seeds["dh-31-ok"] = bytes([5 + 3]) + x.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    seeds["dh-31-zero"] = bytes([5 + 3]) + bytes(32)
    seeds["dh-19-ok"] = bytes([5 + 1]) + ecp_point(ec.SECP256R1(), 32)
    seeds["dh-19-offcurve"] = bytes([5 + 1]) + bytes(63) + b"\x01"
    seeds["dh-20-ok"] = bytes([5 + 2]) + ecp_point(ec.SECP384R1(), 48)
    seeds["dh-14-ok"] = bytes([5 + 0]) + pow(2, 0x1234567, MODP_P).to_bytes(256, "big")
    seeds["dh-14-pminus1"] = bytes([5 + 0]) + (MODP_P - 1).to_bytes(256, "big")
    seeds["dh-14-short"] = bytes([5 + 0]) + bytes(255)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
