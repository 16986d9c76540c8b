/* SPDX-License-Identifier: MIT */
/*
 * Run one ESP SA over a capture: read records, transform their IP packets
 * in bursts of up to BURST_MAX, write the ones that pass, count the rest.
 *
 * Records that are not whole IP packets (another ethertype, cut short by the
 * capture's snapshot length, inconsistent lengths) are dropped and counted
 * like the engine's drops, so the exit status tells the operator that the
 * output lacks them. Output order is input order.
 *
 * The packet buffers hold plaintext on one side of the transform; they are
 * not wiped, as every packet that passes is written out in the clear or
 * encrypted anyway. No key material passes through this file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "dp/limits.h"
#include "esp/esp.h"
#include "io/pcapfile.h"

/* Drop reasons of this tool beyond the engine's enum esp_drop. */
enum {
	DROP_NOT_IP = ESP_DROP_COUNT, /* not an IPv4 or IPv6 packet */
	DROP_TRUNCATED,               /* cut short by the capture */
	DROP_LINK_TYPE,               /* result's IP version does not fit the
				       * file's link type (LINKTYPE_IPV4/6) */
	DROP_REASONS
};

struct capture {
	struct esp_sa *sa;
	bool encrypt;
	const char *in_name, *out_name;
	struct pcapfile_reader *in;
	struct pcapfile_writer *out;
	uint8_t *storage;   /* BURST_MAX buffers of slot_cap bytes each */
	uint32_t slot_cap;
	struct pkt pkts[BURST_MAX];
	struct pcapfile_record recs[BURST_MAX];
	uint64_t records;   /* records read */
	uint64_t drops[DROP_REASONS];
};

static const char *reason_name(unsigned reason)
{
	switch (reason) {
	case DROP_NOT_IP:
		return "not-ip";
	case DROP_TRUNCATED:
		return "truncated";
	case DROP_LINK_TYPE:
		return "link-type";
	default:
		return esp_drop_name((enum esp_drop)reason);
	}
}

static unsigned frame_reason(enum pcapfile_frame kind)
{
	switch (kind) {
	case PCAPFILE_FRAME_NOT_IP:
		return DROP_NOT_IP;
	case PCAPFILE_FRAME_TRUNCATED:
		return DROP_TRUNCATED;
	default:
		return ESP_DROP_MALFORMED;
	}
}

/* Copy the record's IP packet into buffer i, leaving ESP_HEADROOM before it
 * and the rest of the buffer (at least ESP_TAILROOM + TFC padding) after. */
static void slot_load(struct capture *c, unsigned i,
		      struct pcapfile_record *rec)
{
	struct pkt *p = &c->pkts[i];

	pkt_init(p, c->storage + (size_t)i * c->slot_cap, c->slot_cap,
		 ESP_HEADROOM);
	memcpy(pkt_put(p, rec->ip_len), rec->ip, rec->ip_len);
	rec->ip = NULL; /* the reader's buffer is reused by the next read */
}

/*
 * Read up to BURST_MAX IP packets into the buffers; *n is how many. Returns
 * 1 when the burst is full, 0 at the end of the input, -EIO on a read error.
 */
static int capture_fill(struct capture *c, unsigned *n)
{
	enum pcapfile_frame kind;
	int rc;

	*n = 0;
	while (*n < BURST_MAX) {
		rc = pcapfile_read(c->in, &c->recs[*n], &kind);
		if (rc <= 0)
			return rc;
		c->records++;
		if (kind != PCAPFILE_FRAME_IP) {
			c->drops[frame_reason(kind)]++;
			continue;
		}
		slot_load(c, *n, &c->recs[*n]);
		(*n)++;
	}
	return 1;
}

/* Write packet i; returns 0, or -EIO when the output cannot be written. */
static int capture_write(struct capture *c, unsigned i)
{
	const struct pkt *p = &c->pkts[i];
	int rc = pcapfile_write(c->out, &c->recs[i], pkt_data(p), p->len);

	if (rc == -EPROTOTYPE)
		c->drops[DROP_LINK_TYPE]++;
	else if (rc == -EMSGSIZE)
		c->drops[ESP_DROP_TOO_BIG]++;
	else if (rc < 0)
		return -EIO;
	return 0;
}

/* Transform the n packets in the buffers and write those that pass. */
static int capture_burst(struct capture *c, unsigned n)
{
	struct pkt *pkts[BURST_MAX];
	struct esp_sa *sas[BURST_MAX];
	enum esp_drop verdicts[BURST_MAX];
	unsigned i;

	for (i = 0; i < n; i++) {
		pkts[i] = &c->pkts[i];
		sas[i] = c->sa;
	}
	if (c->encrypt)
		esp_encrypt_burst(c->sa, pkts, verdicts, n);
	else
		esp_decrypt_burst(sas, pkts, verdicts, n);
	for (i = 0; i < n; i++) {
		if (verdicts[i] != ESP_OK)
			c->drops[verdicts[i] < ESP_DROP_COUNT ? verdicts[i]
							      : ESP_DROP_CRYPTO]++;
		else if (capture_write(c, i) < 0)
			return -EIO;
	}
	return 0;
}

static int capture_loop(struct capture *c)
{
	unsigned n;
	int rc;

	do {
		rc = capture_fill(c, &n);
		if (n && capture_burst(c, n) < 0) {
			fprintf(stderr, "tunsec esp: --out %s: %s\n", c->out_name,
				pcapfile_writer_error(c->out));
			return CLI_EXIT_IO;
		}
	} while (rc > 0);
	if (rc < 0) {
		fprintf(stderr, "tunsec esp: --in %s: %s (after %" PRIu64
				" records)\n", c->in_name,
			pcapfile_reader_error(c->in), c->records);
		return CLI_EXIT_IO;
	}
	return CLI_EXIT_OK;
}

/* "tunsec esp: 3 of 100 packets dropped: auth 2, replay 1". Returns
 * whether anything was dropped. */
static bool capture_report(const struct capture *c)
{
	uint64_t total = 0;
	unsigned r;
	bool first = true;

	for (r = ESP_OK + 1; r < DROP_REASONS; r++)
		total += c->drops[r];
	if (total == 0)
		return false;
	fprintf(stderr, "tunsec esp: %" PRIu64 " of %" PRIu64
			" packets dropped:", total, c->records);
	for (r = ESP_OK + 1; r < DROP_REASONS; r++) {
		if (!c->drops[r])
			continue;
		fprintf(stderr, "%s %s %" PRIu64, first ? "" : ",",
			reason_name(r), c->drops[r]);
		first = false;
	}
	fputc('\n', stderr);
	return true;
}

/* libpcap's open errors usually begin with the file name; name the option
 * and the file once. */
static void open_error(const char *opt, const char *path, const char *err)
{
	size_t n = strlen(path);

	if (strncmp(err, path, n) == 0 && err[n] == ':')
		fprintf(stderr, "tunsec esp: %s %s\n", opt, err);
	else
		fprintf(stderr, "tunsec esp: %s %s: %s\n", opt, path, err);
}

static int capture_open(struct capture *c)
{
	char err[PCAPFILE_ERR_MAX];

	if (pcapfile_reader_open(&c->in, c->in_name, err) != 0) {
		open_error("--in", c->in_name, err);
		return CLI_EXIT_IO;
	}
	if (pcapfile_writer_open(&c->out, c->out_name, c->in, err) != 0) {
		open_error("--out", c->out_name, err);
		return CLI_EXIT_IO;
	}
	c->slot_cap = ESP_HEADROOM + IP_PACKET_MAX + ESP_TAILROOM +
		      c->sa->tfc_pad;
	c->storage = malloc((size_t)BURST_MAX * c->slot_cap);
	if (!c->storage) {
		fprintf(stderr, "tunsec esp: out of memory\n");
		return CLI_EXIT_IO;
	}
	return CLI_EXIT_OK;
}

/* Close the output (its flush may fail) and free everything. */
static int capture_close(struct capture *c, int rc)
{
	char err[PCAPFILE_ERR_MAX];

	if (c->out && pcapfile_writer_close(c->out, err) != 0 &&
	    rc != CLI_EXIT_IO) {
		fprintf(stderr, "tunsec esp: --out %s: %s\n", c->out_name, err);
		rc = CLI_EXIT_IO;
	}
	pcapfile_reader_close(c->in);
	free(c->storage);
	free(c);
	return rc;
}

int cli_esp_capture(struct esp_sa *sa, bool encrypt, const char *in,
		    const char *out)
{
	struct capture *c = calloc(1, sizeof(*c));
	bool dropped;
	int rc;

	if (!c) {
		fprintf(stderr, "tunsec esp: out of memory\n");
		return CLI_EXIT_IO;
	}
	c->sa = sa;
	c->encrypt = encrypt;
	c->in_name = in;
	c->out_name = out;
	rc = capture_open(c);
	if (rc == CLI_EXIT_OK)
		rc = capture_loop(c);
	dropped = capture_report(c);
	rc = capture_close(c, rc);
	if (rc == CLI_EXIT_OK && dropped)
		rc = CLI_EXIT_DROPS;
	return rc;
}
