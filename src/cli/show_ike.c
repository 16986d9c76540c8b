/* SPDX-License-Identifier: MIT */
/*
 * tunsec show: the IKE SAs of IKE-managed peers, one IKE_SA nest each
 * (ctl/proto.h): the peer, the state and role of this host, the IKE SPIs
 * (RFC 7296 §3.1: initiator's then responder's), the age, the negotiated
 * algorithms (IANA transform names, RFC 7296 §3.3.2) and, once its Child
 * SA is up, the Child SA's ESP algorithms, SPIs and negotiated traffic
 * selectors (RFC 7296 §2.9; this host's view, written as in the
 * configuration file: what its SAs carry).
 *
 * Every value comes from the daemon and is untrusted: strings go out only
 * through show_text_clean() and the JSON writers, numbers are printed with
 * fixed formats, and an absent attribute leaves its line or member out.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli/show.h"

/* The IKE SPI t (8 bytes on the wire) as 16 hex digits, after |prefix|;
 * "?" when absent. */
static void spi64_text(const struct ctl_attr *tb, enum ctl_attr_type t,
		       const char *prefix, char *buf, size_t cap)
{
	uint64_t v;

	if (show_get_num(tb, t, &v))
		snprintf(buf, cap, "%s%016" PRIx64, prefix, v);
	else
		snprintf(buf, cap, "?");
}

/* "spi: SPIi/SPIr", when the nest has either. */
static void text_spis(const struct ctl_attr *tb)
{
	char i[24], r[24];

	if (!tb[CTL_A_SPI_I].type && !tb[CTL_A_SPI_R].type)
		return;
	spi64_text(tb, CTL_A_SPI_I, "", i, sizeof(i));
	spi64_text(tb, CTL_A_SPI_R, "", r, sizeof(r));
	show_text_line(2, "spi", "%s/%s", i, r);
}

/* "LABEL: DURATION" of the seconds in attribute t, when present. */
static void text_seconds(const struct ctl_attr *tb, enum ctl_attr_type t,
			 const char *label)
{
	char buf[64];
	uint64_t secs;

	if (!show_get_num(tb, t, &secs))
		return;
	show_text_duration(secs, buf, sizeof(buf));
	show_text_line(2, label, "%s", buf);
}

/* A Child SA's SPI t as 0x + 8 hex digits; "?" when absent. */
static void spi32_text(const struct ctl_attr *tb, enum ctl_attr_type t,
		       char *buf, size_t cap)
{
	uint64_t v;

	if (show_get_num(tb, t, &v))
		snprintf(buf, cap, "0x%08" PRIx64, v);
	else
		snprintf(buf, cap, "?");
}

/* "child: ESP-ALG, spi in 0x..., out 0x...", when the nest has a Child
 * SA. */
static void text_child(const struct ctl_attr *tb)
{
	char alg[CTL_STR_MAX], in[24], out[24];
	const char *s = show_get_str(tb, CTL_A_ESP_ALG);
	bool spis = tb[CTL_A_SPI_IN].type || tb[CTL_A_SPI_OUT].type;

	if (s)
		show_text_clean(s, alg);
	if (!spis) {
		if (s)
			show_text_line(2, "child", "%s", alg);
		return;
	}
	spi32_text(tb, CTL_A_SPI_IN, in, sizeof(in));
	spi32_text(tb, CTL_A_SPI_OUT, out, sizeof(out));
	show_text_line(2, "child", "%s%sspi in %s, out %s", s ? alg : "",
		       s ? ", " : "", in, out);
}

/* "fragments sent: N", once the IKE SA has sent IKE fragments. */
static void text_fragments(const struct ctl_attr *tb)
{
	uint64_t n;

	if (show_get_num(tb, CTL_A_FRAGMENTS, &n) && n)
		show_text_line(2, "fragments sent", "%" PRIu64, n);
}

/* "remote: ADDR:PORT", and when a NAT stands in front of this host, a
 * "nat" line saying so. */
static void text_remote(const struct ctl_attr *tb)
{
	char buf[CTL_STR_MAX];
	uint64_t nat;

	if (show_text_endpoint(tb, CTL_A_ADDR, buf, sizeof(buf)))
		show_text_line(2, "remote", "%s", buf);
	if (show_get_num(tb, CTL_A_NAT, &nat) && nat)
		show_text_line(2, "nat", "in front of this host (keepalives "
			       "sent)");
}

/* The IKE SA's further Child SAs (CHILD nests), as the first. */
static void text_more_children(const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END], c;
	struct ctl_iter it;

	if (!ctl_attr_iter(nest, &it))
		return;
	while (ctl_iter_next(&it, &c)) {
		if (c.type != CTL_A_CHILD)
			continue;
		show_nest_index(&c, tb);
		text_child(tb);
		text_seconds(tb, CTL_A_CHILD_REKEY, "child rekey in");
		show_text_strs(2, "selectors", &c, CTL_A_SELECTOR);
	}
}

void show_text_ike_sa(const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];
	char buf[CTL_STR_MAX];
	const char *peer;

	show_nest_index(nest, tb);
	peer = show_get_str(tb, CTL_A_PEER_NAME);
	printf("ike-sa: %s\n", peer ? show_text_clean(peer, buf) : "?");
	show_text_str(2, "state", tb, CTL_A_STATE);
	show_text_str(2, "role", tb, CTL_A_ROLE);
	text_remote(tb);
	text_spis(tb);
	text_seconds(tb, CTL_A_AGE, "age");
	text_seconds(tb, CTL_A_IKE_REKEY, "rekey in");
	show_text_str(2, "ike algorithms", tb, CTL_A_IKE_ALG);
	text_child(tb);
	text_seconds(tb, CTL_A_CHILD_REKEY, "child rekey in");
	show_text_strs(2, "selectors", nest, CTL_A_SELECTOR);
	text_more_children(nest);
	text_fragments(tb);
}

/* An IKE SPI as a number member |key| and a "0x" + 16 hex digits string
 * member |key|_hex. */
static void json_spi64(struct show_json *j, const char *key,
		       const struct ctl_attr *tb, enum ctl_attr_type t)
{
	char hex[24], hex_key[16];

	if (!tb[t].type)
		return;
	show_json_num(j, key, tb, t);
	spi64_text(tb, t, "0x", hex, sizeof(hex));
	snprintf(hex_key, sizeof(hex_key), "%s_hex", key);
	show_json_str(j, hex_key, hex);
}

/* "more_children": the IKE SA's further Child SAs (CHILD nests), each
 * with the first one's members; always present, empty without any. */
static void json_more_children(struct show_json *j,
			       const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END], c;
	struct ctl_iter it;
	bool ok;

	show_json_open(j, "more_children", '[');
	for (ok = ctl_attr_iter(nest, &it); ok && ctl_iter_next(&it, &c);) {
		if (c.type != CTL_A_CHILD)
			continue;
		show_nest_index(&c, tb);
		show_json_open(j, NULL, '{');
		show_json_str(j, "esp_alg", show_get_str(tb, CTL_A_ESP_ALG));
		show_json_num(j, "spi_in", tb, CTL_A_SPI_IN);
		show_json_num(j, "spi_out", tb, CTL_A_SPI_OUT);
		show_json_num(j, "rekey_in", tb, CTL_A_CHILD_REKEY);
		show_json_strs(j, "selectors", &c, CTL_A_SELECTOR);
		show_json_close(j, '}');
	}
	show_json_close(j, ']');
}

void show_json_ike_sa(struct show_json *j, const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];

	show_nest_index(nest, tb);
	show_json_open(j, NULL, '{');
	show_json_str(j, "peer", show_get_str(tb, CTL_A_PEER_NAME));
	show_json_str(j, "state", show_get_str(tb, CTL_A_STATE));
	show_json_str(j, "role", show_get_str(tb, CTL_A_ROLE));
	json_spi64(j, "spi_i", tb, CTL_A_SPI_I);
	json_spi64(j, "spi_r", tb, CTL_A_SPI_R);
	show_json_num(j, "age", tb, CTL_A_AGE);
	show_json_num(j, "rekey_in", tb, CTL_A_IKE_REKEY);
	show_json_addr(j, "remote", tb, CTL_A_ADDR);
	show_json_num(j, "remote_port", tb, CTL_A_PORT);
	show_json_num(j, "nat_local", tb, CTL_A_NAT);
	show_json_num(j, "fragments_sent", tb, CTL_A_FRAGMENTS);
	show_json_str(j, "ike_alg", show_get_str(tb, CTL_A_IKE_ALG));
	show_json_str(j, "esp_alg", show_get_str(tb, CTL_A_ESP_ALG));
	show_json_num(j, "spi_in", tb, CTL_A_SPI_IN);
	show_json_num(j, "spi_out", tb, CTL_A_SPI_OUT);
	show_json_num(j, "child_rekey_in", tb, CTL_A_CHILD_REKEY);
	show_json_strs(j, "selectors", nest, CTL_A_SELECTOR);
	json_more_children(j, nest);
	show_json_close(j, '}');
}
