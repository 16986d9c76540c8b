/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for capture records: pcapfile_frame_parse() on arbitrary
 * bytes under every supported link type. The first input byte picks the
 * link type; the rest is the captured frame.
 */
#include <pcap/dlt.h>
#include <stdlib.h>

#include "io/pcapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int link_types[] = {
	DLT_RAW, DLT_IPV4, DLT_IPV6, DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcapfile_record rec = { 0 };
	enum pcapfile_frame kind;
	const uint8_t *frame;
	uint32_t len;
	int dlt;

	if (size < 1 || size > 70000)
		return 0;
	dlt = link_types[data[0] % (sizeof(link_types) / sizeof(link_types[0]))];
	frame = data + 1;
	len = (uint32_t)(size - 1);
	kind = pcapfile_frame_parse(dlt, frame, len, len, &rec);
	if (kind != PCAPFILE_FRAME_IP)
		return 0;
	/* The IP packet lies within the frame, after the link header, and
	 * starts with version 4 or 6. */
	if (!rec.ip || rec.ip < frame || rec.ip_len == 0 ||
	    rec.ip_len > len - (uint32_t)(rec.ip - frame) ||
	    rec.link_len > PCAPFILE_LINK_MAX ||
	    (uint32_t)(rec.ip - frame) < rec.link_len ||
	    (rec.ip[0] >> 4 != 4 && rec.ip[0] >> 4 != 6))
		abort();
	if (rec.type_off >= 0 && (uint32_t)rec.type_off + 2 > rec.link_len)
		abort();
	return 0;
}
