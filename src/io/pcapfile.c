/* SPDX-License-Identifier: MIT */
#include "io/pcapfile.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dp/limits.h"
#include "util/bytes.h"
#include "util/cursor.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100  /* IEEE 802.1Q */
#define ETHERTYPE_QINQ 0x88a8  /* IEEE 802.1ad service tag */
#define ETHERTYPE_VLAN_OLD 0x9100
#define ETHER_HDR_LEN 14
#define IPV6_FIXED_LEN 40      /* the IPv6 header before extensions */
#define VLAN_TAG_LEN 4
#define VLAN_TAGS_MAX 2

/* Snapshot length written into output headers: libpcap's largest, so no
 * record (at most a link header plus IP_PACKET_MAX) exceeds it. */
#define WRITER_SNAPLEN 262144

/* Link types this module reads and writes. */
enum link_kind { LINK_RAW, LINK_IPV4, LINK_IPV6, LINK_ETHER, LINK_COOKED };

struct link_desc {
	int dlt;
	enum link_kind kind;
	uint8_t hdr_len;   /* fixed link header, before any VLAN tags */
	int8_t type_off;   /* ethertype field in that header, or -1 */
};

_Static_assert(ETHER_HDR_LEN + VLAN_TAGS_MAX * VLAN_TAG_LEN <= PCAPFILE_LINK_MAX,
	       "link header room");

static const struct link_desc links[] = {
	{ DLT_RAW, LINK_RAW, 0, -1 },
	{ DLT_IPV4, LINK_IPV4, 0, -1 },
	{ DLT_IPV6, LINK_IPV6, 0, -1 },
	{ DLT_EN10MB, LINK_ETHER, ETHER_HDR_LEN, 12 },
	{ DLT_LINUX_SLL, LINK_COOKED, 16, 14 },
	{ DLT_LINUX_SLL2, LINK_COOKED, 20, 0 },
};

struct pcapfile_reader {
	pcap_t *pcap;
	const struct link_desc *link;
	bool nsec;
	char err[PCAPFILE_ERR_MAX];
};

struct pcapfile_writer {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	const struct link_desc *link;
	char err[PCAPFILE_ERR_MAX];
	int failed;                  /* errno of the first failed write, or 0 */
	uint8_t buf[PCAPFILE_LINK_MAX + IP_PACKET_MAX];
};

static const struct link_desc *link_find(int dlt)
{
	size_t i;

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (links[i].dlt == dlt)
			return &links[i];
	return NULL;
}

bool pcapfile_link_supported(int dlt)
{
	return link_find(dlt) != NULL;
}

static bool is_vlan(uint16_t type)
{
	return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
	       type == ETHERTYPE_VLAN_OLD;
}

/* IP version an ethertype announces: 4, 6, or 0 for anything else. */
static int ethertype_version(uint16_t type)
{
	if (type == ETHERTYPE_IPV4)
		return 4;
	if (type == ETHERTYPE_IPV6)
		return 6;
	return 0;
}

/*
 * Copy the link header (with up to VLAN_TAGS_MAX tags on Ethernet) into rec
 * and return the IP version its ethertype names: 4, 6, 0 (not IP), or -1
 * when the header itself is cut short.
 */
static int link_split(const struct link_desc *d, struct cursor *c,
		      struct pcapfile_record *rec)
{
	const uint8_t *type;
	unsigned tags = 0;

	if (!cursor_copy(c, rec->link, d->hdr_len))
		return -1;
	rec->link_len = d->hdr_len;
	rec->type_off = d->type_off;
	while (d->kind == LINK_ETHER && tags < VLAN_TAGS_MAX &&
	       is_vlan(get_be16(rec->link + rec->type_off))) {
		if (!cursor_copy(c, rec->link + rec->link_len, VLAN_TAG_LEN))
			return -1;
		rec->link_len += VLAN_TAG_LEN;
		rec->type_off = (int)rec->link_len - 2;
		tags++;
	}
	type = rec->link + rec->type_off;
	return ethertype_version(get_be16(type));
}

/*
 * Length of the IP packet at the cursor by its own header (IPv4 total length,
 * IPv6 40 + payload length), or 0 when the header is cut short, -1 when the
 * lengths are inconsistent.
 */
static long ip_length(const struct cursor *c, int version)
{
	struct cursor h = *c;
	uint8_t vihl;
	uint16_t len;

	if (!cursor_u8(&h, &vihl))
		return 0;
	if (version == 4) {
		if (!cursor_skip(&h, 1) || !cursor_u16(&h, &len))
			return 0;
		if ((vihl & 15) < 5 || len < (vihl & 15) * 4)
			return -1;
		return len;
	}
	if (!cursor_skip(&h, 3) || !cursor_u16(&h, &len))
		return 0;
	return (long)IPV6_FIXED_LEN + len;
}

/*
 * Point rec->ip at the IP packet at the cursor, trimmed to its IP length.
 * want is the version the link layer announced, or 0 for raw IP (either).
 * cut: the capture holds less than the frame on the wire.
 */
static enum pcapfile_frame ip_split(struct cursor *c, int want, bool cut,
				    struct pcapfile_record *rec)
{
	uint8_t first;
	int version;
	long len;

	if (!cursor_peek_u8(c, 0, &first))
		return cut ? PCAPFILE_FRAME_TRUNCATED : PCAPFILE_FRAME_MALFORMED;
	version = first >> 4;
	if (want == 0 && version != 4 && version != 6)
		return PCAPFILE_FRAME_NOT_IP;
	if (want != 0 && version != want)
		return PCAPFILE_FRAME_MALFORMED;
	len = ip_length(c, version);
	if (len < 0)
		return PCAPFILE_FRAME_MALFORMED;
	if (len == 0 || (size_t)len > cursor_left(c))
		return cut ? PCAPFILE_FRAME_TRUNCATED : PCAPFILE_FRAME_MALFORMED;
	if (!cursor_bytes(c, &rec->ip, (size_t)len))
		return PCAPFILE_FRAME_MALFORMED;
	rec->ip_len = (uint32_t)len;
	return PCAPFILE_FRAME_IP;
}

enum pcapfile_frame pcapfile_frame_parse(int dlt, const uint8_t *data,
					 uint32_t caplen, uint32_t wire_len,
					 struct pcapfile_record *rec)
{
	const struct link_desc *d = link_find(dlt);
	struct cursor c = cursor_make(data, caplen);
	bool cut = caplen < wire_len;
	int want;

	rec->link_len = 0;
	rec->type_off = -1;
	rec->ip = NULL;
	rec->ip_len = 0;
	if (!d)
		return PCAPFILE_FRAME_NOT_IP;
	switch (d->kind) {
	case LINK_RAW:
		want = 0;
		break;
	case LINK_IPV4:
		want = 4;
		break;
	case LINK_IPV6:
		want = 6;
		break;
	default:
		want = link_split(d, &c, rec);
		if (want < 0)
			return cut ? PCAPFILE_FRAME_TRUNCATED
				   : PCAPFILE_FRAME_MALFORMED;
		if (want == 0)
			return PCAPFILE_FRAME_NOT_IP;
	}
	return ip_split(&c, want, cut, rec);
}

/*
 * Whether a capture file's timestamps have nanosecond resolution, from its
 * magic number. Standard input, pipes and pcapng files are read at nanosecond
 * precision, which loses nothing.
 */
static bool file_is_nsec(const char *path)
{
	uint8_t magic[4];
	struct stat st;
	uint32_t m;
	size_t n;
	FILE *f;

	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return true;
	f = fopen(path, "rb");
	if (!f)
		return false;
	n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	if (n != sizeof(magic))
		return false;
	m = get_be32(magic);
	return m == 0xa1b23c4d || m == 0x4d3cb2a1 || m == 0x0a0d0d0a;
}

int pcapfile_reader_open(struct pcapfile_reader **out, const char *path,
			 char *err)
{
	struct pcapfile_reader *r;
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	int dlt;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, PCAPFILE_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	r->nsec = file_is_nsec(path);
	r->pcap = pcap_open_offline_with_tstamp_precision(
		path,
		r->nsec ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO,
		ebuf);
	if (!r->pcap) {
		snprintf(err, PCAPFILE_ERR_MAX, "%s", ebuf);
		free(r);
		return -EIO;
	}
	dlt = pcap_datalink(r->pcap);
	r->link = link_find(dlt);
	if (!r->link) {
		const char *name = pcap_datalink_val_to_name(dlt);

		snprintf(err, PCAPFILE_ERR_MAX,
			 "link type %s (%d) is not supported; use raw IP, "
			 "Ethernet or Linux cooked captures",
			 name ? name : "unknown", dlt);
		pcap_close(r->pcap);
		free(r);
		return -EPROTONOSUPPORT;
	}
	*out = r;
	return 0;
}

int pcapfile_read(struct pcapfile_reader *r, struct pcapfile_record *rec,
		  enum pcapfile_frame *kind)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	rc = pcap_next_ex(r->pcap, &h, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(r->err, sizeof(r->err), "%s", pcap_geterr(r->pcap));
		return -EIO;
	}
	rec->ts = h->ts;
	*kind = pcapfile_frame_parse(r->link->dlt, data, h->caplen, h->len, rec);
	return 1;
}

int pcapfile_reader_dlt(const struct pcapfile_reader *r)
{
	return r->link->dlt;
}

bool pcapfile_reader_nsec(const struct pcapfile_reader *r)
{
	return r->nsec;
}

const char *pcapfile_reader_error(const struct pcapfile_reader *r)
{
	return r->err;
}

void pcapfile_reader_close(struct pcapfile_reader *r)
{
	if (!r)
		return;
	pcap_close(r->pcap);
	free(r);
}

int pcapfile_writer_open(struct pcapfile_writer **out, const char *path,
			 const struct pcapfile_reader *like, char *err)
{
	struct pcapfile_writer *w;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, PCAPFILE_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	w->link = like->link;
	w->dead = pcap_open_dead_with_tstamp_precision(
		w->link->dlt, WRITER_SNAPLEN,
		like->nsec ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	if (!w->dead) {
		snprintf(err, PCAPFILE_ERR_MAX, "out of memory");
		free(w);
		return -ENOMEM;
	}
	w->dumper = pcap_dump_open(w->dead, path);
	if (!w->dumper) {
		snprintf(err, PCAPFILE_ERR_MAX, "%s", pcap_geterr(w->dead));
		pcap_close(w->dead);
		free(w);
		return -EIO;
	}
	*out = w;
	return 0;
}

/* Whether an IP packet of this version may go out on the writer's link, and
 * the ethertype naming it. */
static bool version_fits(const struct link_desc *d, int version,
			 uint16_t *type)
{
	if (version != 4 && version != 6)
		return false;
	*type = version == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
	if (d->kind == LINK_IPV4)
		return version == 4;
	if (d->kind == LINK_IPV6)
		return version == 6;
	return true;
}

static void writer_fail(struct pcapfile_writer *w, int e)
{
	if (w->failed)
		return;
	w->failed = e ? e : EIO;
	snprintf(w->err, sizeof(w->err), "%s", strerror(w->failed));
}

int pcapfile_write(struct pcapfile_writer *w, const struct pcapfile_record *rec,
		   const uint8_t *ip, uint32_t len)
{
	struct pcap_pkthdr h;
	uint16_t type;

	if (w->failed)
		return -EIO;
	if (len == 0 || len > IP_PACKET_MAX || rec->link_len > PCAPFILE_LINK_MAX)
		return -EMSGSIZE;
	if (!version_fits(w->link, ip[0] >> 4, &type))
		return -EPROTOTYPE;
	memcpy(w->buf, rec->link, rec->link_len);
	if (rec->type_off >= 0 && (uint32_t)rec->type_off + 2 <= rec->link_len)
		put_be16(w->buf + rec->type_off, type);
	memcpy(w->buf + rec->link_len, ip, len);
	memset(&h, 0, sizeof(h));
	h.ts = rec->ts;
	h.caplen = h.len = rec->link_len + len;
	errno = 0;
	pcap_dump((u_char *)w->dumper, &h, w->buf);
	if (ferror(pcap_dump_file(w->dumper))) {
		writer_fail(w, errno);
		return -EIO;
	}
	return 0;
}

const char *pcapfile_writer_error(const struct pcapfile_writer *w)
{
	return w->err;
}

int pcapfile_writer_close(struct pcapfile_writer *w, char *err)
{
	int rc = 0;

	if (!w)
		return 0;
	errno = 0;
	if (!w->failed && pcap_dump_flush(w->dumper) != 0)
		writer_fail(w, errno);
	if (w->failed) {
		rc = -EIO;
		if (err)
			snprintf(err, PCAPFILE_ERR_MAX, "%s", w->err);
	}
	pcap_dump_close(w->dumper);
	pcap_close(w->dead);
	free(w);
	return rc;
}
