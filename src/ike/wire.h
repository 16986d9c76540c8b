/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 on the wire (RFC 7296 §3), with message fragmentation (RFC 7383)
 * and signature authentication (RFC 7427): the numbers, sizes and limits,
 * and the names of the numbers for logs. Values are from the IANA "IKEv2
 * Parameters" registry; only those tunsec names or uses are listed.
 *
 * IKE header (§3.1), 28 bytes:
 *   0               8               16  17  18  19  20      24      28
 *   +---------------+---------------+---+---+---+---+-------+-------+
 *   | IKE SA Init   | IKE SA Resp   | NP|Ver|Exc|Flg|  MID  | Length|
 *   |   SPI         |   SPI         |   |   |   |   |       |       |
 *   +---------------+---------------+---+---+---+---+-------+-------+
 *
 * Generic payload header (§3.2), 4 bytes:
 *   +---------------+-+-------------+-------------------------------+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +---------------+-+-------------+-------------------------------+
 * Payload Length counts the generic header.
 */
#ifndef TUNSEC_IKE_WIRE_H
#define TUNSEC_IKE_WIRE_H

#include <stdbool.h>
#include <stdint.h>

/* Sizes. */
#define IKE_HDR_LEN 28
#define IKE_PAYLOAD_HDR_LEN 4
#define IKE_SPI_LEN 8              /* IKE SA SPIs */
#define IKE_PROPOSAL_HDR_LEN 8     /* §3.3.1, before the SPI */
#define IKE_TRANSFORM_HDR_LEN 8    /* §3.3.2 */
#define IKE_ATTR_HDR_LEN 4         /* §3.3.5, TV attribute whole */
#define IKE_TS_HDR_LEN 8           /* §3.13.1, before the addresses */
#define IKE_TS4_LEN 16             /* TS_IPV4_ADDR_RANGE */
#define IKE_TS6_LEN 40             /* TS_IPV6_ADDR_RANGE */
#define IKE_SKF_HDR_LEN 4          /* RFC 7383 §2.5: number, total */
#define IKE_MSG_MAX 65535          /* UDP datagram and TCP frame bound */
#define IKE_NONCE_MIN 16           /* §3.9 */
#define IKE_NONCE_MAX 256
#define IKE_NATD_HASH_LEN 20       /* §2.23: SHA-1 digest */
#define IKE_COOKIE_MIN 1           /* §2.6 */
#define IKE_COOKIE_MAX 64
#define IKE_CERT_HASH_LEN 20       /* §3.7: SHA-1 of a CA's public key */

/* Header fields. */
#define IKE_VERSION_MAJOR 2
#define IKE_VERSION 0x20           /* major 2, minor 0 */
#define IKE_FLAG_INITIATOR 0x08
#define IKE_FLAG_VERSION 0x10
#define IKE_FLAG_RESPONSE 0x20
#define IKE_PAYLOAD_CRITICAL 0x80  /* §3.2, in the generic header's flags */

/* Limits. A message beyond one of them is refused as a whole (the caller
 * drops it, or answers INVALID_SYNTAX where §2.21 asks for an answer). The
 * bounds are generous for real peers: strongSwan's widest default proposal
 * has under 40 transforms and 1 proposal per SA payload. */
#define IKE_PAYLOADS_MAX 64        /* payloads in one chain */
#define IKE_PROPOSALS_MAX 16       /* proposals in one SA payload */
#define IKE_TRANSFORMS_MAX 48      /* transforms in one proposal */
#define IKE_TS_MAX 16              /* selectors in one TS payload */
#define IKE_PROPOSAL_SPI_MAX 8     /* SPI size 0 (IKE_SA_INIT), 4 or 8 */

/* Exchange types (§3.1): X(name, value, log name); enumerators
 * IKE_EXCH_<name>. */
#define IKE_EXCHANGES(X)                                          \
	X(SA_INIT, 34, "IKE_SA_INIT")                             \
	X(AUTH, 35, "IKE_AUTH")                                   \
	X(CREATE_CHILD_SA, 36, "CREATE_CHILD_SA")                 \
	X(INFORMATIONAL, 37, "INFORMATIONAL")                     \
	X(SESSION_RESUME, 38, "IKE_SESSION_RESUME") /* RFC 5723 */ \
	X(INTERMEDIATE, 43, "IKE_INTERMEDIATE")     /* RFC 9242 */ \
	X(FOLLOWUP_KE, 44, "IKE_FOLLOWUP_KE")       /* RFC 9370 */

enum ike_exchange {
#define IKE_X_ENUM(n, v, s) IKE_EXCH_##n = v,
	IKE_EXCHANGES(IKE_X_ENUM)
#undef IKE_X_ENUM
};

/* Payload types (§3.2). X(name, value, log name, known): known payloads are
 * those this parser understands; an unknown one with the critical bit set
 * makes the message unacceptable (UNSUPPORTED_CRITICAL_PAYLOAD). */
#define IKE_PAYLOADS(X)                                           \
	X(NONE, 0, "none", 0)                                     \
	X(SA, 33, "SA", 1)                                        \
	X(KE, 34, "KE", 1)                                        \
	X(IDI, 35, "IDi", 1)                                      \
	X(IDR, 36, "IDr", 1)                                      \
	X(CERT, 37, "CERT", 1)                                    \
	X(CERTREQ, 38, "CERTREQ", 1)                              \
	X(AUTH, 39, "AUTH", 1)                                    \
	X(NONCE, 40, "Ni/Nr", 1)                                  \
	X(NOTIFY, 41, "N", 1)                                     \
	X(DELETE, 42, "D", 1)                                     \
	X(VENDOR, 43, "V", 1)                                     \
	X(TSI, 44, "TSi", 1)                                      \
	X(TSR, 45, "TSr", 1)                                      \
	X(SK, 46, "SK", 1)                                        \
	X(CP, 47, "CP", 1)                                        \
	X(EAP, 48, "EAP", 1)                                      \
	X(GSPM, 49, "GSPM", 0)        /* RFC 6467 */              \
	X(SKF, 53, "SKF", 1)          /* RFC 7383 */              \
	X(PS, 54, "PS", 0)            /* RFC 8019 */

enum ike_payload_type {
#define IKE_P_ENUM(n, v, s, k) IKE_PL_##n = v,
	IKE_PAYLOADS(IKE_P_ENUM)
#undef IKE_P_ENUM
};

/* Last Substruc values in proposals and transforms (§3.3.1, §3.3.2). */
#define IKE_SUBSTRUC_LAST 0
#define IKE_SUBSTRUC_PROPOSAL 2
#define IKE_SUBSTRUC_TRANSFORM 3

/* Protocol IDs (§3.3.1; 0 only in Notify, §3.10). */
#define IKE_PROTOS(X)                                             \
	X(NONE, 0, "none")                                        \
	X(IKE, 1, "IKE")                                          \
	X(AH, 2, "AH")                                            \
	X(ESP, 3, "ESP")

enum ike_proto {
#define IKE_PR_ENUM(n, v, s) IKE_PROTO_##n = v,
	IKE_PROTOS(IKE_PR_ENUM)
#undef IKE_PR_ENUM
};

/* Transform types (§3.3.2). */
#define IKE_XFORM_TYPES(X)                                        \
	X(ENCR, 1, "ENCR")                                        \
	X(PRF, 2, "PRF")                                          \
	X(INTEG, 3, "INTEG")                                      \
	X(DH, 4, "KE")                                            \
	X(ESN, 5, "ESN")

enum ike_xform_type {
#define IKE_XT_ENUM(n, v, s) IKE_XF_##n = v,
	IKE_XFORM_TYPES(IKE_XT_ENUM)
#undef IKE_XT_ENUM
};

/* Transform IDs per type: X(name, value, log name), as enumerators
 * IKE_TF_<type>_<name> (IKE_TF_ENCR_AES_GCM_16, IKE_TF_DH_ECP_256, ...).
 * ike/alg.h, ike/prf.h and ike/dh.h name the subsets the crypto code
 * implements; these are the wire values, for parsing and logs. */
#define IKE_ENCR_IDS(X)                                           \
	X(3DES, 3, "3DES")                                        \
	X(NULL, 11, "NULL")                                       \
	X(AES_CBC, 12, "AES_CBC")                                 \
	X(AES_CTR, 13, "AES_CTR")                                 \
	X(AES_CCM_8, 14, "AES_CCM_8")                             \
	X(AES_CCM_12, 15, "AES_CCM_12")                           \
	X(AES_CCM_16, 16, "AES_CCM_16")                           \
	X(AES_GCM_8, 18, "AES_GCM_8")                             \
	X(AES_GCM_12, 19, "AES_GCM_12")                           \
	X(AES_GCM_16, 20, "AES_GCM_16")                           \
	X(NULL_AUTH_AES_GMAC, 21, "NULL_AUTH_AES_GMAC")           \
	X(CHACHA20_POLY1305, 28, "CHACHA20_POLY1305")

#define IKE_PRF_IDS(X)                                            \
	X(HMAC_MD5, 1, "HMAC_MD5")                                \
	X(HMAC_SHA1, 2, "HMAC_SHA1")                              \
	X(AES128_XCBC, 4, "AES128_XCBC")                          \
	X(HMAC_SHA2_256, 5, "HMAC_SHA2_256")                      \
	X(HMAC_SHA2_384, 6, "HMAC_SHA2_384")                      \
	X(HMAC_SHA2_512, 7, "HMAC_SHA2_512")                      \
	X(AES128_CMAC, 8, "AES128_CMAC")

#define IKE_INTEG_IDS(X)                                          \
	X(NONE, 0, "NONE")                                        \
	X(HMAC_MD5_96, 1, "HMAC_MD5_96")                          \
	X(HMAC_SHA1_96, 2, "HMAC_SHA1_96")                        \
	X(AES_XCBC_96, 5, "AES_XCBC_96")                          \
	X(AES_CMAC_96, 8, "AES_CMAC_96")                          \
	X(HMAC_SHA2_256_128, 12, "HMAC_SHA2_256_128")             \
	X(HMAC_SHA2_384_192, 13, "HMAC_SHA2_384_192")             \
	X(HMAC_SHA2_512_256, 14, "HMAC_SHA2_512_256")

#define IKE_DH_IDS(X)                                             \
	X(NONE, 0, "NONE")                                        \
	X(MODP_2048, 14, "MODP_2048")                             \
	X(MODP_3072, 15, "MODP_3072")                             \
	X(MODP_4096, 16, "MODP_4096")                             \
	X(ECP_256, 19, "ECP_256")                                 \
	X(ECP_384, 20, "ECP_384")                                 \
	X(ECP_521, 21, "ECP_521")                                 \
	X(CURVE25519, 31, "CURVE25519")                           \
	X(CURVE448, 32, "CURVE448")

#define IKE_ESN_IDS(X)                                            \
	X(NO, 0, "NO_ESN")                                        \
	X(YES, 1, "ESN")

enum ike_encr_id {
#define IKE_E_ENUM(n, v, s) IKE_TF_ENCR_##n = v,
	IKE_ENCR_IDS(IKE_E_ENUM)
#undef IKE_E_ENUM
};

enum ike_prf_id {
#define IKE_PRF_ENUM(n, v, s) IKE_TF_PRF_##n = v,
	IKE_PRF_IDS(IKE_PRF_ENUM)
#undef IKE_PRF_ENUM
};

enum ike_integ_id {
#define IKE_I_ENUM(n, v, s) IKE_TF_INTEG_##n = v,
	IKE_INTEG_IDS(IKE_I_ENUM)
#undef IKE_I_ENUM
};

enum ike_dh_id {
#define IKE_D_ENUM(n, v, s) IKE_TF_DH_##n = v,
	IKE_DH_IDS(IKE_D_ENUM)
#undef IKE_D_ENUM
};

enum ike_esn_id {
#define IKE_ESN_ENUM(n, v, s) IKE_TF_ESN_##n = v,
	IKE_ESN_IDS(IKE_ESN_ENUM)
#undef IKE_ESN_ENUM
};

/* Transform attributes (§3.3.5): the high bit of the type selects TV
 * (value in the length field's place) over TLV. Key Length is TV only. */
#define IKE_ATTR_TV 0x8000
#define IKE_ATTR_KEY_LENGTH 14

/* Notify message types (§3.10.1): errors below 16384, status from it. */
#define IKE_NOTIFY_STATUS_MIN 16384
#define IKE_NOTIFIES(X)                                                   \
	X(UNSUPPORTED_CRITICAL_PAYLOAD, 1, "UNSUPPORTED_CRITICAL_PAYLOAD")\
	X(INVALID_IKE_SPI, 4, "INVALID_IKE_SPI")                          \
	X(INVALID_MAJOR_VERSION, 5, "INVALID_MAJOR_VERSION")              \
	X(INVALID_SYNTAX, 7, "INVALID_SYNTAX")                            \
	X(INVALID_MESSAGE_ID, 9, "INVALID_MESSAGE_ID")                    \
	X(INVALID_SPI, 11, "INVALID_SPI")                                 \
	X(NO_PROPOSAL_CHOSEN, 14, "NO_PROPOSAL_CHOSEN")                   \
	X(INVALID_KE_PAYLOAD, 17, "INVALID_KE_PAYLOAD")                   \
	X(AUTHENTICATION_FAILED, 24, "AUTHENTICATION_FAILED")             \
	X(SINGLE_PAIR_REQUIRED, 34, "SINGLE_PAIR_REQUIRED")               \
	X(NO_ADDITIONAL_SAS, 35, "NO_ADDITIONAL_SAS")                     \
	X(INTERNAL_ADDRESS_FAILURE, 36, "INTERNAL_ADDRESS_FAILURE")       \
	X(FAILED_CP_REQUIRED, 37, "FAILED_CP_REQUIRED")                   \
	X(TS_UNACCEPTABLE, 38, "TS_UNACCEPTABLE")                         \
	X(INVALID_SELECTORS, 39, "INVALID_SELECTORS")                     \
	X(TEMPORARY_FAILURE, 43, "TEMPORARY_FAILURE")                     \
	X(CHILD_SA_NOT_FOUND, 44, "CHILD_SA_NOT_FOUND")                   \
	X(INITIAL_CONTACT, 16384, "INITIAL_CONTACT")                      \
	X(SET_WINDOW_SIZE, 16385, "SET_WINDOW_SIZE")                      \
	X(ADDITIONAL_TS_POSSIBLE, 16386, "ADDITIONAL_TS_POSSIBLE")        \
	X(IPCOMP_SUPPORTED, 16387, "IPCOMP_SUPPORTED")                    \
	X(NAT_DETECTION_SOURCE_IP, 16388, "NAT_DETECTION_SOURCE_IP")      \
	X(NAT_DETECTION_DESTINATION_IP, 16389,                            \
	  "NAT_DETECTION_DESTINATION_IP")                                 \
	X(COOKIE, 16390, "COOKIE")                                        \
	X(USE_TRANSPORT_MODE, 16391, "USE_TRANSPORT_MODE")                \
	X(HTTP_CERT_LOOKUP_SUPPORTED, 16392, "HTTP_CERT_LOOKUP_SUPPORTED")\
	X(REKEY_SA, 16393, "REKEY_SA")                                    \
	X(ESP_TFC_PADDING_NOT_SUPPORTED, 16394,                           \
	  "ESP_TFC_PADDING_NOT_SUPPORTED")                                \
	X(NON_FIRST_FRAGMENTS_ALSO, 16395, "NON_FIRST_FRAGMENTS_ALSO")    \
	X(MOBIKE_SUPPORTED, 16396, "MOBIKE_SUPPORTED")                    \
	X(MULTIPLE_AUTH_SUPPORTED, 16404, "MULTIPLE_AUTH_SUPPORTED")      \
	X(ANOTHER_AUTH_FOLLOWS, 16405, "ANOTHER_AUTH_FOLLOWS")            \
	X(REDIRECT_SUPPORTED, 16406, "REDIRECT_SUPPORTED")                \
	X(CHILDLESS_IKEV2_SUPPORTED, 16418, "CHILDLESS_IKEV2_SUPPORTED")  \
	X(IKEV2_FRAGMENTATION_SUPPORTED, 16430,                           \
	  "IKEV2_FRAGMENTATION_SUPPORTED")                                \
	X(SIGNATURE_HASH_ALGORITHMS, 16431, "SIGNATURE_HASH_ALGORITHMS")  \
	X(INTERMEDIATE_EXCHANGE_SUPPORTED, 16438,                         \
	  "INTERMEDIATE_EXCHANGE_SUPPORTED")

enum ike_notify_type {
#define IKE_N_ENUM(n, v, s) IKE_N_##n = v,
	IKE_NOTIFIES(IKE_N_ENUM)
#undef IKE_N_ENUM
};

/* Hash algorithms in SIGNATURE_HASH_ALGORITHMS data (RFC 7427 §4, RFC 8420),
 * each a 16-bit value. */
#define IKE_HASH_SHA1 1
#define IKE_HASH_SHA2_256 2
#define IKE_HASH_SHA2_384 3
#define IKE_HASH_SHA2_512 4
#define IKE_HASH_IDENTITY 5

/* Identification types (§3.5). */
#define IKE_ID_TYPES(X)                                           \
	X(IPV4_ADDR, 1, "IPV4_ADDR")                              \
	X(FQDN, 2, "FQDN")                                        \
	X(RFC822_ADDR, 3, "RFC822_ADDR")                          \
	X(IPV6_ADDR, 5, "IPV6_ADDR")                              \
	X(DER_ASN1_DN, 9, "DER_ASN1_DN")                          \
	X(DER_ASN1_GN, 10, "DER_ASN1_GN")                         \
	X(KEY_ID, 11, "KEY_ID")                                   \
	X(NULL, 13, "ID_NULL")        /* RFC 7619 */

enum ike_id_type {
#define IKE_ID_ENUM(n, v, s) IKE_ID_##n = v,
	IKE_ID_TYPES(IKE_ID_ENUM)
#undef IKE_ID_ENUM
};

/* Authentication methods (§3.8; 14 from RFC 7427, 13 from RFC 7619). */
#define IKE_AUTH_METHODS(X)                                       \
	X(RSA_SIG, 1, "RSA_SIG")                                  \
	X(PSK, 2, "SHARED_KEY_MIC")                               \
	X(DSS_SIG, 3, "DSS_SIG")                                  \
	X(ECDSA_256, 9, "ECDSA_SHA256_P256")                      \
	X(ECDSA_384, 10, "ECDSA_SHA384_P384")                     \
	X(ECDSA_521, 11, "ECDSA_SHA512_P521")                     \
	X(NULL, 13, "NULL_AUTH")                                  \
	X(DIGITAL_SIGNATURE, 14, "DIGITAL_SIGNATURE")

enum ike_auth_method {
#define IKE_AM_ENUM(n, v, s) IKE_AM_##n = v,
	IKE_AUTH_METHODS(IKE_AM_ENUM)
#undef IKE_AM_ENUM
};

/* Traffic selector types (§3.13.1). */
#define IKE_TS_IPV4_ADDR_RANGE 7
#define IKE_TS_IPV6_ADDR_RANGE 8

/* Certificate encodings (§3.6; 14 from RFC 4806, 15 from RFC 7670). */
#define IKE_CERT_ENCODINGS(X)                                     \
	X(PKCS7, 1, "PKCS7")                                      \
	X(PGP, 2, "PGP")                                          \
	X(DNS, 3, "DNS")                                          \
	X(X509_SIG, 4, "X509_SIG")                                \
	X(KERBEROS, 6, "KERBEROS")                                \
	X(CRL, 7, "CRL")                                          \
	X(ARL, 8, "ARL")                                          \
	X(SPKI, 9, "SPKI")                                        \
	X(X509_ATTR, 10, "X509_ATTR")                             \
	X(HASH_URL_X509, 12, "HASH_URL_X509")                     \
	X(HASH_URL_BUNDLE, 13, "HASH_URL_BUNDLE")                 \
	X(OCSP, 14, "OCSP")                                       \
	X(RAW_PUBLIC_KEY, 15, "RAW_PUBLIC_KEY")

enum ike_cert_encoding {
#define IKE_CE_ENUM(n, v, s) IKE_CERT_##n = v,
	IKE_CERT_ENCODINGS(IKE_CE_ENUM)
#undef IKE_CE_ENUM
};

/* Names for logs: the registry's spelling, or "?" for a value not listed
 * here. Static strings; thread-safe. */
const char *ike_exchange_name(uint8_t exchange);
const char *ike_payload_name(uint8_t type);
const char *ike_proto_name(uint8_t proto);
const char *ike_xform_type_name(uint8_t type);
/* The name of transform |id| of transform type |type|. */
const char *ike_xform_id_name(uint8_t type, uint16_t id);
const char *ike_notify_name(uint16_t type);
const char *ike_id_type_name(uint8_t type);
const char *ike_auth_method_name(uint8_t method);
const char *ike_cert_encoding_name(uint8_t encoding);

/* Whether the parser understands payload |type| (the "known" column of
 * IKE_PAYLOADS; NONE is not a payload). */
bool ike_payload_known(uint8_t type);

/* Whether |exchange| is one of IKE_EXCHANGES. */
bool ike_exchange_known(uint8_t exchange);

#endif
