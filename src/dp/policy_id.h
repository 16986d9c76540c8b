/* SPDX-License-Identifier: MIT */
/* The SPD policy id of a peer's selector, shared by dp.c and path.c. */
#ifndef TUNSEC_DP_POLICY_ID_H
#define TUNSEC_DP_POLICY_ID_H

#include <stdint.h>

#define POLICY_ID(peer, sel) ((uint32_t)(peer) << 16 | (uint32_t)(sel))
#define POLICY_PEER(id) ((id) >> 16)

#endif
