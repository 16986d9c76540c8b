/* SPDX-License-Identifier: MIT */
/* Name tables derived from the lists in ike/wire.h. */
#include "ike/wire.h"

#define NAME_CASE(n, v, s) \
	case v:            \
		return s;
#define NAME_CASE4(n, v, s, k) \
	case v:                \
		return s;
#define KNOWN_CASE(n, v, s, k) \
	case v:                \
		return k;

const char *ike_exchange_name(uint8_t exchange)
{
	switch (exchange) {
		IKE_EXCHANGES(NAME_CASE)
	}
	return "?";
}

bool ike_exchange_known(uint8_t exchange)
{
	return ike_exchange_name(exchange)[0] != '?';
}

const char *ike_payload_name(uint8_t type)
{
	switch (type) {
		IKE_PAYLOADS(NAME_CASE4)
	}
	return "?";
}

bool ike_payload_known(uint8_t type)
{
	switch (type) {
		IKE_PAYLOADS(KNOWN_CASE)
	}
	return false;
}

const char *ike_proto_name(uint8_t proto)
{
	switch (proto) {
		IKE_PROTOS(NAME_CASE)
	}
	return "?";
}

const char *ike_xform_type_name(uint8_t type)
{
	switch (type) {
		IKE_XFORM_TYPES(NAME_CASE)
	}
	return "?";
}

static const char *encr_name(uint16_t id)
{
	switch (id) {
		IKE_ENCR_IDS(NAME_CASE)
	}
	return "?";
}

static const char *prf_name(uint16_t id)
{
	switch (id) {
		IKE_PRF_IDS(NAME_CASE)
	}
	return "?";
}

static const char *integ_name(uint16_t id)
{
	switch (id) {
		IKE_INTEG_IDS(NAME_CASE)
	}
	return "?";
}

static const char *dh_name(uint16_t id)
{
	switch (id) {
		IKE_DH_IDS(NAME_CASE)
	}
	return "?";
}

static const char *esn_name(uint16_t id)
{
	switch (id) {
		IKE_ESN_IDS(NAME_CASE)
	}
	return "?";
}

const char *ike_xform_id_name(uint8_t type, uint16_t id)
{
	switch (type) {
	case IKE_XF_ENCR:
		return encr_name(id);
	case IKE_XF_PRF:
		return prf_name(id);
	case IKE_XF_INTEG:
		return integ_name(id);
	case IKE_XF_DH:
		return dh_name(id);
	case IKE_XF_ESN:
		return esn_name(id);
	}
	return "?";
}

const char *ike_notify_name(uint16_t type)
{
	switch (type) {
		IKE_NOTIFIES(NAME_CASE)
	}
	return "?";
}

const char *ike_id_type_name(uint8_t type)
{
	switch (type) {
		IKE_ID_TYPES(NAME_CASE)
	}
	return "?";
}

const char *ike_auth_method_name(uint8_t method)
{
	switch (method) {
		IKE_AUTH_METHODS(NAME_CASE)
	}
	return "?";
}

const char *ike_cert_encoding_name(uint8_t encoding)
{
	switch (encoding) {
		IKE_CERT_ENCODINGS(NAME_CASE)
	}
	return "?";
}
