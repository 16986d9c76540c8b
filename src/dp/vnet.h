/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net header that a TUN device opened with IFF_VNET_HDR puts in
 * front of every packet it hands over, and expects in front of every packet
 * written to it (struct virtio_net_hdr, <linux/virtio_net.h>; virtio 1.x
 * §5.1.6). Ten bytes, no padding:
 *
 *   flags        u8   VIRTIO_NET_HDR_F_NEEDS_CSUM: the L4 checksum is left
 *                     to do: sum from csum_start to the end, store the folded
 *                     result at csum_start + csum_offset; the field holds the
 *                     pseudo-header sum meanwhile (CHECKSUM_PARTIAL).
 *                     VIRTIO_NET_HDR_F_DATA_VALID: the checksum was checked.
 *   gso_type     u8   NONE, TCPV4, TCPV6 or UDP_L4, plus the ECN bit (TCP
 *                     with CWR on the first segment).
 *   hdr_len      u16  From the kernel: a hint, the length of its linear
 *                     part (at least the headers, perhaps more). To the
 *                     kernel: IP + L4 header bytes.
 *   gso_size     u16  Payload bytes per segment.
 *   csum_start   u16  Offset of the L4 header from the start of the packet.
 *   csum_offset  u16  Offset of the checksum field within it (TCP 16, UDP 6).
 *
 * Byte order: the u16 fields are little-endian. TUN uses the legacy virtio
 * convention, native order of the host, unless TUNSETVNETLE/TUNSETVNETBE
 * says otherwise; on the little-endian hosts tunsec runs on that is
 * little-endian. A big-endian host must set TUNSETVNETLE for these helpers
 * to hold. Only vnet_get16()/vnet_put16() touch the fields.
 *
 * Packets begin with the IP header: TUN in IFF_TUN mode has no link layer.
 */
#ifndef TUNSEC_DP_VNET_H
#define TUNSEC_DP_VNET_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

#include <linux/virtio_net.h>

/* Older kernel headers lack UDP segmentation (Linux 6.2+ TUN_F_USO4/6). */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define VNET_HDR_LEN 10

/* TCP checksum field offset within the TCP header, and UDP's. */
#define VNET_CSUM_OFF_TCP 16
#define VNET_CSUM_OFF_UDP 6

_Static_assert(sizeof(struct virtio_net_hdr) == VNET_HDR_LEN,
	       "virtio_net_hdr is ten bytes without padding");

static inline uint16_t vnet_get16(__virtio16 v)
{
	return le16toh((uint16_t)v);
}

static inline __virtio16 vnet_put16(uint16_t v)
{
	return (__virtio16)htole16(v);
}

/* Copy a header from/to raw bytes of any alignment (packet buffers). */
static inline void vnet_hdr_load(struct virtio_net_hdr *vh, const uint8_t *raw)
{
	memcpy(vh, raw, VNET_HDR_LEN);
}

static inline void vnet_hdr_store(uint8_t *raw, const struct virtio_net_hdr *vh)
{
	memcpy(raw, vh, VNET_HDR_LEN);
}

#endif
