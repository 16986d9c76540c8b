/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "dp/limits.h"
#include "esp/esp.h"
#include "util/secure.h"

#define SEQ32_MAX 0xffffffffULL

static int check_cipher(const struct esp_sa_config *cfg,
			const struct esp_cipher_info *info, unsigned icv,
			const char **why)
{
	if (!esp_cipher_icv_ok(info, icv)) {
		*why = "ICV length not allowed for this cipher";
		return -EINVAL;
	}
	if (cfg->key_len != (uint32_t)info->key_len + info->salt_len) {
		*why = "key material has the wrong length for this cipher";
		return -EINVAL;
	}
	return 0;
}

static int check_tunnel(const struct esp_sa_config *cfg, const char **why)
{
	uint8_t fs = cfg->tunnel_src.family, fd = cfg->tunnel_dst.family;

	if (cfg->mode != ESP_MODE_TUNNEL) {
		if (fs || fd) {
			*why = "tunnel addresses given for a transport-mode SA";
			return -EINVAL;
		}
		if (cfg->tfc_pad) {
			*why = "TFC padding needs tunnel mode";
			return -EINVAL;
		}
		return 0;
	}
	if (fs != fd) {
		*why = "tunnel source and destination must both be given, "
		       "of one address family";
		return -EINVAL;
	}
	if (cfg->tfc_pad > TFC_PAD_MAX) {
		*why = "TFC padding too large";
		return -EINVAL;
	}
	return 0;
}

static int check_seq(const struct esp_sa_config *cfg, uint32_t window,
		     const char **why)
{
	if (cfg->spi == 0) {
		*why = "SPI 0 is reserved";
		return -EINVAL;
	}
	if (!cfg->esn && cfg->seq > SEQ32_MAX) {
		*why = "sequence number beyond 32 bits without ESN";
		return -EINVAL;
	}
	if (window < REPLAY_WINDOW_MIN || window > REPLAY_WINDOW_MAX) {
		*why = "replay window out of range";
		return -EINVAL;
	}
	if (cfg->encap == ESP_ENCAP_UDP && (!cfg->sport || !cfg->dport)) {
		*why = "UDP encapsulation needs non-zero ports";
		return -EINVAL;
	}
	if (cfg->mode != ESP_MODE_TRANSPORT && cfg->mode != ESP_MODE_TUNNEL) {
		*why = "unknown mode";
		return -EINVAL;
	}
	return 0;
}

static void copy_config(struct esp_sa *sa, const struct esp_sa_config *cfg,
			const struct esp_cipher_info *info, unsigned icv)
{
	sa->spi = cfg->spi;
	sa->cipher = cfg->cipher;
	sa->info = info;
	sa->icv_len = (uint8_t)icv;
	memcpy(sa->salt, cfg->key + info->key_len, info->salt_len);
	sa->mode = cfg->mode;
	sa->encap = cfg->encap;
	sa->sport = cfg->sport;
	sa->dport = cfg->dport;
	sa->esn = cfg->esn;
	sa->tunnel_src = cfg->tunnel_src;
	sa->tunnel_dst = cfg->tunnel_dst;
	sa->tfc_pad = cfg->tfc_pad;
	sa->seq_next = cfg->seq ? cfg->seq : 1;
}

int esp_sa_init(struct esp_sa *sa, const struct esp_sa_config *cfg,
		const char **why)
{
	const struct esp_cipher_info *info = esp_cipher_info(cfg->cipher);
	uint32_t window = cfg->replay_window ? cfg->replay_window
					     : REPLAY_WINDOW_DEFAULT;
	unsigned icv;
	int err;

	memset(sa, 0, sizeof(*sa));
	*why = NULL;
	if (!info) {
		*why = "unknown cipher";
		return -EINVAL;
	}
	icv = cfg->icv_len ? cfg->icv_len : info->default_icv;
	err = check_cipher(cfg, info, icv, why);
	if (!err)
		err = check_tunnel(cfg, why);
	if (!err)
		err = check_seq(cfg, window, why);
	if (err)
		return err;
	err = aead_new(&sa->aead, info->alg, cfg->engine, cfg->key,
		       info->key_len, icv);
	if (err) {
		*why = err == -ENOTSUP ? "no crypto engine passed its self-test "
					 "for this cipher"
				       : "crypto engine refused the key";
		return err;
	}
	err = replay_init(&sa->replay, window, cfg->seq);
	if (err) {
		aead_free(sa->aead);
		sa->aead = NULL;
		*why = "out of memory";
		return err;
	}
	copy_config(sa, cfg, info, icv);
	return 0;
}

void esp_sa_clear(struct esp_sa *sa)
{
	aead_free(sa->aead);
	replay_free(&sa->replay);
	secure_zero(sa, sizeof(*sa));
}

void esp_sa_carry_state(struct esp_sa *to, const struct esp_sa *from)
{
	struct replay fresh;

	to->seq_next = from->seq_next;
	to->stats = from->stats;
	if (to->replay.mask == from->replay.mask) {
		memcpy(to->replay.words, from->replay.words,
		       ((size_t)from->replay.mask + 1) * sizeof(uint64_t));
		to->replay.top = from->replay.top;
		return;
	}
	/* Another window size: start a window at the same top. Without
	 * memory for it, keep the SA's own ring with every bit set: all
	 * numbers up to the top count as received, which only refuses more. */
	if (!replay_init(&fresh, to->replay.window, from->replay.top)) {
		replay_free(&to->replay);
		to->replay = fresh;
		return;
	}
	memset(to->replay.words, 0xff,
	       ((size_t)to->replay.mask + 1) * sizeof(uint64_t));
	to->replay.top = from->replay.top;
}
