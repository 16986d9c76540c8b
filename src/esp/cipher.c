/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "esp/esp.h"

/* RFC 4106 (GCM), RFC 4309 (CCM), RFC 7634 (ChaCha20-Poly1305): the IV is
 * 8 bytes and the salt ends the key material. RFC 2410 + RFC 4868 for the
 * integrity-only cipher. */
static const struct esp_cipher_info ciphers[ESP_CIPHER_COUNT] = {
	[ESP_CIPHER_NULL] = {
		.name = "null", .alg = AEAD_NULL,
		.default_icv = 0, .icv_lens = { 0 }, .integrity = false,
	},
	[ESP_CIPHER_NULL_HMAC_SHA256] = {
		.name = "null-hmac-sha256", .alg = AEAD_NULL_HMAC_SHA256,
		.key_len = 32, .default_icv = 16, .icv_lens = { 16 },
		.integrity = true,
	},
	[ESP_CIPHER_AES_GCM_128] = {
		.name = "aes-gcm-128", .alg = AEAD_AES_GCM_128,
		.key_len = 16, .salt_len = 4, .iv_len = ESP_IV_LEN,
		.default_icv = 16, .icv_lens = { 8, 12, 16 }, .integrity = true,
	},
	[ESP_CIPHER_AES_GCM_256] = {
		.name = "aes-gcm-256", .alg = AEAD_AES_GCM_256,
		.key_len = 32, .salt_len = 4, .iv_len = ESP_IV_LEN,
		.default_icv = 16, .icv_lens = { 8, 12, 16 }, .integrity = true,
	},
	[ESP_CIPHER_AES_CCM_128] = {
		.name = "aes-ccm-128", .alg = AEAD_AES_CCM_128,
		.key_len = 16, .salt_len = 3, .iv_len = ESP_IV_LEN,
		.default_icv = 16, .icv_lens = { 8, 12, 16 }, .integrity = true,
	},
	[ESP_CIPHER_CHACHA20_POLY1305] = {
		.name = "chacha20-poly1305", .alg = AEAD_CHACHA20_POLY1305,
		.key_len = 32, .salt_len = 4, .iv_len = ESP_IV_LEN,
		.default_icv = 16, .icv_lens = { 16 }, .integrity = true,
	},
};

const struct esp_cipher_info *esp_cipher_info(enum esp_cipher c)
{
	if ((unsigned)c >= ESP_CIPHER_COUNT)
		return NULL;
	return &ciphers[c];
}

int esp_cipher_from_name(const char *name, enum esp_cipher *out)
{
	unsigned i;

	for (i = 0; i < ESP_CIPHER_COUNT; i++) {
		if (!strcmp(ciphers[i].name, name)) {
			*out = (enum esp_cipher)i;
			return 0;
		}
	}
	return -ENOENT;
}

bool esp_cipher_icv_ok(const struct esp_cipher_info *info, unsigned icv_len)
{
	unsigned i;

	if (!info->integrity)
		return icv_len == 0;
	for (i = 0; i < sizeof(info->icv_lens) && info->icv_lens[i]; i++)
		if (info->icv_lens[i] == icv_len)
			return true;
	return false;
}
