/* SPDX-License-Identifier: MIT */
/*
 * Capture files (pcap, and pcapng for reading) through libpcap, record by
 * record, with each record split into its link-layer header and the IP
 * packet it carries.
 *
 * Link types: raw IP (LINKTYPE_RAW, which libpcap reports as DLT_RAW;
 * LINKTYPE_IPV4 and LINKTYPE_IPV6), Ethernet (DLT_EN10MB, with up to two
 * VLAN tags) and Linux cooked captures (DLT_LINUX_SLL, DLT_LINUX_SLL2).
 * A writer takes the link type and timestamp precision of the reader it is
 * opened from, so output keeps the input's link type.
 *
 * Records are untrusted input: pcapfile_frame_parse() reads them through a
 * cursor and does no I/O. Readers and writers are used by one thread.
 */
#ifndef TUNSEC_IO_PCAPFILE_H
#define TUNSEC_IO_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

/* Longest link-layer header kept aside: Ethernet with two VLAN tags (22),
 * Linux cooked v2 (20). */
#define PCAPFILE_LINK_MAX 24

/* Room for libpcap's error strings (PCAP_ERRBUF_SIZE). */
#define PCAPFILE_ERR_MAX 256

/* What a record holds. */
enum pcapfile_frame {
	PCAPFILE_FRAME_IP,        /* one whole IPv4 or IPv6 packet */
	PCAPFILE_FRAME_NOT_IP,    /* another protocol (ARP, LLC, ...) */
	PCAPFILE_FRAME_TRUNCATED, /* the capture cut the packet (snaplen) */
	PCAPFILE_FRAME_MALFORMED, /* link header or IP lengths inconsistent */
};

struct pcapfile_record {
	/* As libpcap reports it, in the reader's precision: tv_usec holds
	 * nanoseconds when pcapfile_reader_nsec() is true. */
	struct timeval ts;
	uint8_t link[PCAPFILE_LINK_MAX]; /* link-layer header as captured */
	uint32_t link_len;
	/* Offset in link of the 16-bit ethertype naming the payload's
	 * protocol, or -1 when the link type has none (raw IP). */
	int type_off;
	/* The IP packet, trimmed to its IP length (Ethernet trailer padding
	 * removed). Points into the reader's buffer: valid until the next
	 * pcapfile_read() or pcapfile_reader_close(). NULL unless the record
	 * is PCAPFILE_FRAME_IP. */
	const uint8_t *ip;
	uint32_t ip_len;
};

struct pcapfile_reader;
struct pcapfile_writer;

/* Whether a libpcap link type (DLT_ value) is one this module handles. */
bool pcapfile_link_supported(int dlt);

/*
 * Split one captured record of link type dlt (caplen bytes captured of a
 * wire_len-byte frame) into rec. Sets rec->link, link_len, type_off, ip and
 * ip_len (rec->ip points into data); leaves rec->ts alone. Never reads past
 * data + caplen.
 */
enum pcapfile_frame pcapfile_frame_parse(int dlt, const uint8_t *data,
					 uint32_t caplen, uint32_t wire_len,
					 struct pcapfile_record *rec);

/*
 * Open a capture file for reading ("-": standard input). Returns 0 and sets
 * *out, or -EIO (cannot open, not a capture file), -EPROTONOSUPPORT (a link
 * type this module does not handle), -ENOMEM; a message for the operator is
 * written to err (PCAPFILE_ERR_MAX bytes).
 */
int pcapfile_reader_open(struct pcapfile_reader **out, const char *path,
			 char *err);

/*
 * Read the next record into rec and say what it holds in *kind. Returns 1
 * for a record, 0 at the end of the file, -EIO when the file is damaged or
 * unreadable (pcapfile_reader_error() says why).
 */
int pcapfile_read(struct pcapfile_reader *r, struct pcapfile_record *rec,
		  enum pcapfile_frame *kind);

int pcapfile_reader_dlt(const struct pcapfile_reader *r);
bool pcapfile_reader_nsec(const struct pcapfile_reader *r);
const char *pcapfile_reader_error(const struct pcapfile_reader *r);

/* Close and free; NULL is a no-op. */
void pcapfile_reader_close(struct pcapfile_reader *r);

/*
 * Create (or truncate) a pcap file ("-": standard output) with the link type
 * and timestamp precision of like. Returns 0 and sets *out, or -EIO / -ENOMEM
 * with a message in err (PCAPFILE_ERR_MAX bytes).
 */
int pcapfile_writer_open(struct pcapfile_writer **out, const char *path,
			 const struct pcapfile_reader *like, char *err);

/*
 * Write one record: rec's timestamp and link-layer header followed by the IP
 * packet ip (len bytes). Where the link header names the payload's protocol
 * (Ethernet, Linux cooked) it is set to match the packet's IP version, which
 * tunnel mode may change. Returns 0; -EPROTOTYPE when the packet is not IPv4
 * or IPv6 or its version does not fit the file's link type (LINKTYPE_IPV4
 * or _IPV6); -EMSGSIZE when len is 0 or above IP_PACKET_MAX; -EIO when the
 * file cannot be written (pcapfile_writer_error() says why; every later
 * write fails too).
 */
int pcapfile_write(struct pcapfile_writer *w, const struct pcapfile_record *rec,
		   const uint8_t *ip, uint32_t len);

const char *pcapfile_writer_error(const struct pcapfile_writer *w);

/*
 * Flush and close; NULL is a no-op returning 0. Returns 0, or -EIO when any
 * write or the flush failed (a message is copied to err when err is not
 * NULL).
 */
int pcapfile_writer_close(struct pcapfile_writer *w, char *err);

#endif
