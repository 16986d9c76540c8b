/* SPDX-License-Identifier: MIT */
/* Tables derived from the enums of ctl/proto.h. */
#include "ctl/proto.h"

#include <stddef.h>

struct attr_info {
	const char *name;
	enum ctl_kind kind;
	unsigned flags;
};

static const struct attr_info attrs[CTL_A_END] = {
#define CTL_ATTR_INFO(n, val, str, kind, fl) \
	[val] = { str, CTL_KIND_##kind, fl },
	CTL_ATTRS(CTL_ATTR_INFO)
#undef CTL_ATTR_INFO
};

const char *ctl_type_name(uint16_t type)
{
	switch (type) {
#define CTL_TYPE_CASE(n, val, str) \
	case val:                  \
		return str;
		CTL_TYPES(CTL_TYPE_CASE)
#undef CTL_TYPE_CASE
	}
	return "?";
}

const char *ctl_attr_name(uint16_t type)
{
	if (type >= CTL_A_END || !attrs[type].name)
		return "?";
	return attrs[type].name;
}

enum ctl_kind ctl_attr_kind(uint16_t type)
{
	return type < CTL_A_END ? attrs[type].kind : CTL_KIND_UNKNOWN;
}

unsigned ctl_attr_flags(uint16_t type)
{
	return type < CTL_A_END ? attrs[type].flags : 0;
}
