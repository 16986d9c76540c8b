/* SPDX-License-Identifier: MIT */
/*
 * ESP on the wire (RFC 4303), its UDP encapsulation (RFC 3948), and the
 * reasons an ESP packet is dropped.
 *
 *  0                   1                   2                   3
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Security Parameters Index (SPI)                 |
 *  |                      Sequence Number (low 32 bits)            |
 *  |                 IV (8 bytes: the 64-bit sequence number)      |
 *  ~                    Payload Data (variable)                    ~
 *  |          Padding (0-255 bytes: 1, 2, 3, ...)                  |
 *  |                               |  Pad Length   | Next Header   |
 *  ~              Integrity Check Value (8, 12 or 16 bytes)        ~
 */
#ifndef TUNSEC_ESP_WIRE_H
#define TUNSEC_ESP_WIRE_H

#include <stdint.h>

#define ESP_HDR_LEN 8       /* SPI + sequence number */
#define ESP_IV_LEN 8        /* every AEAD here: the 64-bit sequence number */
#define ESP_TRAILER_LEN 2   /* pad length + next header */
#define ESP_ALIGN 4         /* RFC 4303 §2.4: payload+trailer align to 4 */
#define ESP_UDP_PORT 4500   /* RFC 3948 */
#define UDP_HDR_LEN 8
#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40

#define IPPROTO_ESP_NUM 50
#define NEXT_HEADER_IPV4 4   /* tunnel mode, RFC 4303 §2.6 */
#define NEXT_HEADER_IPV6 41
#define NEXT_HEADER_DUMMY 59 /* TFC dummy packet, RFC 4303 §2.6 */

/* RFC 3948 §2.2: a UDP payload beginning with four zero bytes is IKE, and a
 * single 0xff byte is a NAT-keepalive; neither is ESP. */
#define NON_ESP_MARKER_LEN 4
#define NAT_KEEPALIVE_BYTE 0xff

/* Why an ESP packet, inbound or outbound, was not passed on. Every drop has
 * exactly one reason and is counted under it. */
enum esp_drop {
	ESP_OK = 0,
	ESP_DROP_SHORT,          /* shorter than its headers, IV and ICV */
	ESP_DROP_MALFORMED,      /* bad IP/UDP header, lengths or alignment */
	ESP_DROP_FRAGMENT,       /* IP fragment: ESP needs whole datagrams */
	ESP_DROP_NOT_ESP,        /* not ESP, or UDP to another port */
	ESP_DROP_IKE,            /* non-ESP marker: an IKE message */
	ESP_DROP_KEEPALIVE,      /* NAT-keepalive */
	ESP_DROP_UNKNOWN_SPI,    /* no SA for this SPI */
	ESP_DROP_REPLAY,         /* duplicate or left of the replay window */
	ESP_DROP_AUTH,           /* ICV did not verify */
	ESP_DROP_PAD,            /* padding not 1, 2, 3, ... or too long */
	ESP_DROP_NEXT_HEADER,    /* next header impossible for the SA's mode */
	ESP_DROP_DUMMY,          /* TFC dummy packet (next header 59) */
	ESP_DROP_POLICY,         /* inner packet outside the SA's selectors */
	ESP_DROP_SEQ_EXHAUSTED,  /* outbound: sequence space used up, rekey */
	ESP_DROP_TOO_BIG,        /* result would not fit buffer or IP length */
	ESP_DROP_CRYPTO,         /* the crypto engine refused the request */
	ESP_DROP_COUNT
};

/* Short, stable, lower-case name of a reason ("auth", "replay", ...), used
 * in logs, counters and JSON. */
const char *esp_drop_name(enum esp_drop reason);

#endif
