/* SPDX-License-Identifier: MIT */
/*
 * IKE identities of "local-id" and "remote-id" (RFC 7296 §3.5):
 *
 *   fqdn:NAME     ID_FQDN: a domain name, labels of A-Z a-z 0-9 - _
 *   email:ADDR    ID_RFC822_ADDR: LOCAL@DOMAIN, printable ASCII
 *   ip:ADDRESS    ID_IPV4_ADDR / ID_IPV6_ADDR: the address in binary
 *   dn:DN         ID_DER_ASN1_DN: the DER of an X.501 Name (RFC 5280
 *                 §4.1.2.4) from "TYPE=VALUE, TYPE=VALUE, ...", one
 *                 single-valued RDN per part, in the order of the encoding
 *
 * In a DN, C, serialNumber and values of only PrintableString characters
 * are PrintableStrings, E and DC IA5Strings, the rest UTF8Strings (the
 * usual choice for such text; a peer that encodes the same text otherwise
 * sends other bytes). Identities are not secret: errors quote them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "conf/parse.h"

#define DER_OID 0x06
#define DER_UTF8 0x0c
#define DER_PRINTABLE 0x13
#define DER_IA5 0x16
#define DER_SEQUENCE 0x30
#define DER_SET 0x31

/* X.520 attribute types (RFC 5280 §4.1.2.4, Appendix A), with the string
 * type they take (0: PrintableString when the value allows, else UTF8). */
static const struct {
	const char *name;
	uint8_t oid[10], oid_len, tag;
} attrs[] = {
	{ "C", { 0x55, 0x04, 0x06 }, 3, DER_PRINTABLE },
	{ "ST", { 0x55, 0x04, 0x08 }, 3, 0 },
	{ "L", { 0x55, 0x04, 0x07 }, 3, 0 },
	{ "O", { 0x55, 0x04, 0x0a }, 3, 0 },
	{ "OU", { 0x55, 0x04, 0x0b }, 3, 0 },
	{ "CN", { 0x55, 0x04, 0x03 }, 3, 0 },
	{ "serialNumber", { 0x55, 0x04, 0x05 }, 3, DER_PRINTABLE },
	/* 0.9.2342.19200300.100.1.25 (RFC 4519 §2.4) */
	{ "DC", { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19 },
	  10, DER_IA5 },
	/* 1.2.840.113549.1.9.1, PKCS #9 emailAddress */
	{ "E", { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 }, 9,
	  DER_IA5 },
};

struct der {
	uint8_t *b;
	size_t len;
	bool full; /* something did not fit in CONF_ID_MAX bytes */
};

static void der_put(struct der *d, const void *src, size_t n)
{
	if (d->full || n > CONF_ID_MAX - d->len) {
		d->full = true;
		return;
	}
	memcpy(d->b + d->len, src, n);
	d->len += n;
}

/* Tag and definite length (X.690 §8.1.3) of a content of len bytes. */
static void der_head(struct der *d, uint8_t tag, size_t len)
{
	uint8_t h[3] = { tag, (uint8_t)len, 0 };

	if (len >= 0x100) { /* cannot fit in CONF_ID_MAX bytes */
		d->full = true;
		return;
	}
	if (len < 0x80) {
		der_put(d, h, 2);
		return;
	}
	h[1] = 0x81;
	h[2] = (uint8_t)len;
	der_put(d, h, 3);
}

static size_t head_len(size_t len)
{
	return len < 0x80 ? 2 : 3;
}

static bool printable(const char *s, size_t n)
{
	static const char extra[] = " '()+,-./:=?";
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] && strchr(extra, s[i]))))
			return false;
	return true;
}

static bool ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* One RDN: SET { SEQUENCE { type, value } }. */
static void der_rdn(struct der *d, unsigned a, uint8_t tag, const char *v,
		    size_t n)
{
	size_t atv = 2 + attrs[a].oid_len + head_len(n) + n;

	der_head(d, DER_SET, head_len(atv) + atv);
	der_head(d, DER_SEQUENCE, atv);
	der_head(d, DER_OID, attrs[a].oid_len);
	der_put(d, attrs[a].oid, attrs[a].oid_len);
	der_head(d, tag, n);
	der_put(d, v, n);
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* s without its leading and trailing blanks (cut in place). */
static char *trim(char *s)
{
	char *e;

	while (blank(*s))
		s++;
	e = s + strlen(s);
	while (e > s && blank(e[-1]))
		*--e = '\0';
	return s;
}

static int attr_find(const char *s)
{
	unsigned i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (!strcasecmp(attrs[i].name, s))
			return (int)i;
	return -1;
}

/* The string type of value v[0..n) of attribute a, 0 when it cannot have
 * that value. */
static uint8_t value_tag(unsigned a, const char *v, size_t n)
{
	if (!strcmp(attrs[a].name, "C"))
		return n == 2 && printable(v, n) ? DER_PRINTABLE : 0;
	if (attrs[a].tag == DER_PRINTABLE)
		return printable(v, n) ? DER_PRINTABLE : 0;
	if (attrs[a].tag == DER_IA5)
		return ascii(v, n) ? DER_IA5 : 0;
	return printable(v, n) ? DER_PRINTABLE : DER_UTF8;
}

/* "TYPE=VALUE" (a copy, cut in place) into d. */
static int dn_part(struct conf_parser *p, const char *key, char *part,
		   struct der *d)
{
	char q[CONF_QUOTE_MAX];
	char *eq, *type, *val;
	int a;
	uint8_t tag;

	part = trim(part);
	if (!part[0])
		return conf_fail(p, p->line, "%s: dn: empty part (\",,\" or "
				 "\",\" at an end)", key);
	eq = strchr(part, '=');
	if (!eq)
		return conf_fail(p, p->line, "%s: dn: %s is not TYPE=VALUE",
				 key, conf_quote(part, q));
	*eq = '\0';
	type = trim(part);
	val = trim(eq + 1);
	a = attr_find(type);
	if (a < 0)
		return conf_fail(p, p->line, "%s: dn: unknown attribute type "
				 "%s (known: C, ST, L, O, OU, CN, serialNumber, "
				 "DC, E)", key, conf_quote(type, q));
	tag = value_tag((unsigned)a, val, strlen(val));
	if (!val[0] || !tag)
		return conf_fail(p, p->line, "%s: dn: %s value %s is %s", key,
				 attrs[a].name, conf_quote(val, q),
				 val[0] ? "not allowed for it" : "empty");
	der_rdn(d, (unsigned)a, tag, val, strlen(val));
	return 0;
}

static int id_dn(struct conf_parser *p, const char *key, const char *v,
		 struct conf_ike_id *out)
{
	char text[CONF_LINE_MAX + 1], *s = text, *comma;
	uint8_t body[CONF_ID_MAX];
	struct der d = { body, 0, false }, name = { out->data, 0, false };
	int err;

	if (strpbrk(v, "\\\"+;"))
		return conf_fail(p, p->line, "%s: dn: escapes, quotes, \";\" "
				 "and multi-valued RDNs (\"+\") are not "
				 "supported", key);
	snprintf(text, sizeof(text), "%s", v);
	for (;;) {
		comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		err = dn_part(p, key, s, &d);
		if (err)
			return err;
		if (!comma)
			break;
		s = comma + 1;
	}
	der_head(&name, DER_SEQUENCE, d.len);
	der_put(&name, body, d.len);
	if (d.full || name.full)
		return conf_fail(p, p->line, "%s: dn: the encoded name is "
				 "longer than %d bytes", key, CONF_ID_MAX);
	out->type = IKE_ID_DER_ASN1_DN;
	out->len = (uint16_t)name.len;
	return 0;
}

static bool label_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* Labels of 1-63 label characters joined by single dots. */
static bool domain_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '.' && label == 0)
			return false;
		if (s[i] == '.')
			label = 0;
		else if (!label_char(s[i]) || ++label > 63)
			return false;
	}
	return label > 0;
}

static int id_text(struct conf_ike_id *out, uint8_t type, const char *v)
{
	out->type = type;
	out->len = (uint16_t)strlen(v);
	memcpy(out->data, v, out->len);
	return 0;
}

static int id_fqdn(struct conf_parser *p, const char *key, const char *v,
		   struct conf_ike_id *out)
{
	char q[CONF_QUOTE_MAX];
	size_t n = strlen(v);

	if (n > CONF_ID_MAX || !domain_ok(v, n))
		return conf_fail(p, p->line, "%s: fqdn:%s is not a domain "
				 "name (labels of A-Z a-z 0-9 - _ joined by "
				 "\".\", at most %d bytes)", key,
				 conf_quote(v, q), CONF_ID_MAX);
	return id_text(out, IKE_ID_FQDN, v);
}

static int id_email(struct conf_parser *p, const char *key, const char *v,
		    struct conf_ike_id *out)
{
	char q[CONF_QUOTE_MAX];
	const char *at = strchr(v, '@');
	size_t n = strlen(v), i;
	bool ok = at && at != v && n <= CONF_ID_MAX && !strchr(at + 1, '@') &&
		  domain_ok(at + 1, strlen(at + 1));

	for (i = 0; ok && v + i < at; i++)
		ok = v[i] > 0x20 && v[i] < 0x7f;
	if (!ok)
		return conf_fail(p, p->line, "%s: email:%s is not an address "
				 "LOCAL@DOMAIN of at most %d bytes", key,
				 conf_quote(v, q), CONF_ID_MAX);
	return id_text(out, IKE_ID_RFC822_ADDR, v);
}

void conf_id_from_addr(const struct ip_addr *a, struct conf_ike_id *out)
{
	memset(out, 0, sizeof(*out));
	out->type = a->family == AF_INET6 ? IKE_ID_IPV6_ADDR
					  : IKE_ID_IPV4_ADDR;
	out->len = (uint16_t)addr_len(a->family);
	memcpy(out->data, a->bytes, out->len);
}

static int id_ip(struct conf_parser *p, const char *key, const char *v,
		 struct conf_ike_id *out)
{
	struct ip_addr a;
	int err = conf_value_addr(p, key, v, &a);

	if (!err)
		conf_id_from_addr(&a, out);
	return err;
}

int conf_id_parse(struct conf_parser *p, const char *key, const char *v,
		  struct conf_ike_id *out)
{
	static const struct {
		const char *prefix;
		int (*parse)(struct conf_parser *p, const char *key,
			     const char *v, struct conf_ike_id *out);
	} forms[] = {
		{ "fqdn:", id_fqdn }, { "email:", id_email }, { "ip:", id_ip },
		{ "dn:", id_dn },
	};
	char q[CONF_QUOTE_MAX];
	unsigned i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (!strncmp(v, forms[i].prefix, strlen(forms[i].prefix)))
			return forms[i].parse(p, key,
					      v + strlen(forms[i].prefix), out);
	return conf_fail(p, p->line, "%s: %s is not fqdn:NAME, email:ADDR, "
			 "ip:ADDRESS or dn:DN", key, conf_quote(v, q));
}
