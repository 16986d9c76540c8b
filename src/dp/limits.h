/* SPDX-License-Identifier: MIT */
/*
 * Every bound of the data path in one place, with what happens when it is hit.
 */
#ifndef TUNSEC_DP_LIMITS_H
#define TUNSEC_DP_LIMITS_H

/* Packets handed to a transform in one call. A caller with more splits the
 * work into several calls; nothing is dropped for exceeding it. */
#define BURST_MAX 64

/* Anti-replay window, in packets (RFC 4303 §3.4.3, RFC 6479). Configuration
 * outside [MIN, MAX] is refused. */
#define REPLAY_WINDOW_MIN 32
#define REPLAY_WINDOW_MAX 65536
#define REPLAY_WINDOW_DEFAULT 1024

/* Bytes a packet buffer must have free before and after its data for
 * esp_encrypt(): outer IPv6 header (40) + UDP (8) + ESP header (8) + IV (8),
 * rounded up; and padding (3) + pad length and next header (2) + ICV (16)
 * + the 4-byte ESN high half used while computing an HMAC, rounded up. A
 * packet without the room is dropped as ESP_DROP_TOO_BIG. TFC padding needs
 * tailroom on top of this. */
#define ESP_HEADROOM 128
#define ESP_TAILROOM 64

/* Largest IP packet handled (the IPv4 total-length / IPv6 payload limit). */
#define IP_PACKET_MAX 65535

/* Largest TFC padding target (RFC 4303 §2.7) an SA accepts; larger values
 * are refused when the SA is configured. */
#define TFC_PAD_MAX (IP_PACKET_MAX / 2)

/* User-space GRO (dp/gro.c): TCP flows held for coalescing at once, per
 * coalescer (one per worker). A segment of a new flow arriving while all
 * are held first emits the oldest held flow as it stands; nothing is
 * dropped. Each held flow owns a 64 KiB slot of the coalescer's arena. */
#define GRO_FLOWS_MAX 8

/* Segments coalesced into one super-packet; the flow is emitted when it
 * reaches this count. A segment that would take it past IP_PACKET_MAX
 * bytes emits it and starts the next. */
#define GRO_SEGS_MAX 64

/* Receive and send buffer of the ESP-in-UDP socket, bytes. Datagrams that
 * arrive while the receive buffer is full are dropped by the kernel
 * (UdpRcvbufErrors) and recovered by the inner protocol. */
#define UDP_SOCKET_BUFFER (8 << 20)

/* UDP generic segmentation offload (UDP_SEGMENT): a run of equal-sized
 * datagrams to one destination leaves in one sendmsg() of at most this many
 * datagrams (the kernel's UDP_MAX_SEGMENTS) and bytes (below the 64 KiB an
 * IP packet can hold, with room for headers). A longer run is cut into
 * several sends; nothing is dropped for it. */
#define UDP_GSO_SEGS_MAX 64
#define UDP_GSO_BYTES_MAX 64000

/* UDP receive offload (UDP_GRO): one receive buffer holds a coalesced run of
 * datagrams, at most a 64 KiB UDP payload. Super-datagrams received in one
 * recvmmsg() call; each is split into at most UDP_GSO_SEGS_MAX datagrams. */
#define UDP_GRO_BUF 65536
#define UDP_GRO_MSGS 8

/* Data-plane worker threads, each with its own TUN queue and UDP socket.
 * A configuration asking for more is refused. */
#define WORKERS_MAX 64

/* Packets the kernel queues for the TUN device before dropping (the
 * device's txqueuelen; the kernel's default is 500). */
#define TUN_TXQUEUE_LEN 8192

#endif
