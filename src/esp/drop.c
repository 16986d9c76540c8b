/* SPDX-License-Identifier: MIT */
#include "esp/wire.h"

static const char *const drop_names[ESP_DROP_COUNT] = {
	[ESP_OK] = "ok",
	[ESP_DROP_SHORT] = "short",
	[ESP_DROP_MALFORMED] = "malformed",
	[ESP_DROP_FRAGMENT] = "fragment",
	[ESP_DROP_NOT_ESP] = "not-esp",
	[ESP_DROP_IKE] = "ike",
	[ESP_DROP_KEEPALIVE] = "keepalive",
	[ESP_DROP_UNKNOWN_SPI] = "unknown-spi",
	[ESP_DROP_REPLAY] = "replay",
	[ESP_DROP_AUTH] = "auth",
	[ESP_DROP_PAD] = "bad-padding",
	[ESP_DROP_NEXT_HEADER] = "bad-next-header",
	[ESP_DROP_DUMMY] = "dummy",
	[ESP_DROP_POLICY] = "policy",
	[ESP_DROP_SEQ_EXHAUSTED] = "seq-exhausted",
	[ESP_DROP_TOO_BIG] = "too-big",
	[ESP_DROP_CRYPTO] = "crypto",
};

const char *esp_drop_name(enum esp_drop reason)
{
	if ((unsigned)reason >= ESP_DROP_COUNT)
		return "unknown";
	return drop_names[reason];
}
