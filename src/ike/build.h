/* SPDX-License-Identifier: MIT */
/*
 * Internal to src/ike/: the steps the payload writers (payload*.c) share.
 * Each checks the sticky error first and records any failure in it.
 */
#ifndef TUNSEC_IKE_BUILD_H
#define TUNSEC_IKE_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/msg.h"

/* SPI sizes of proposals and notifications (§3.3.1, §3.10). */
static inline bool ike_spi_size_ok(uint8_t size)
{
	return size == 0 || size == 4 || size == 8;
}

/* IKE, AH or ESP (§3.3.1). */
static inline bool ike_proto_ok(uint8_t proto)
{
	return proto >= IKE_PROTO_IKE && proto <= IKE_PROTO_ESP;
}

/* Record err unless an error is recorded already; returns the sticky one. */
int ike_w_fail(struct ike_writer *w, int err);

/* Start a payload of |type|: link it into the chain and write its generic
 * header with a length to be set by ike_w_close(). */
int ike_w_open(struct ike_writer *w, uint8_t type, bool critical);

/* Claim the next n bytes of the buffer; NULL (error recorded) when they do
 * not fit. The caller writes every claimed byte. */
uint8_t *ike_w_room(struct ike_writer *w, size_t n);

/* Append bytes, or big-endian integers. */
int ike_w_bytes(struct ike_writer *w, const void *p, size_t n);
int ike_w_zeros(struct ike_writer *w, size_t n);
int ike_w_u8(struct ike_writer *w, uint8_t v);
int ike_w_u16(struct ike_writer *w, uint16_t v);

/* Set the open payload's length. */
int ike_w_close(struct ike_writer *w);

#endif
