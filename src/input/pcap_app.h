/*
 * The server name a client sends at the start of a TCP connection: the SNI
 * of a TLS ClientHello (RFC 6066 section 3) or the Host header of an HTTP/1.x
 * request (RFC 9112 section 3.2).
 *
 * Both functions read the first bytes the client sent, in order. They return
 * 1 with the name copied to out (not NUL-terminated), 0 when the bytes are
 * not that protocol or carry no name, and -1 when more bytes are needed.
 */
#ifndef IH_PCAP_APP_H
#define IH_PCAP_APP_H

#include <stddef.h>
#include <stdint.h>

/* Maximum length of a returned name; longer names are treated as absent. */
#define PCAP_APP_MAX_NAME 255

int pcap_app_tls_sni(const uint8_t *p, size_t len, char out[PCAP_APP_MAX_NAME], size_t *out_len);

/* The Host value without a ":port" suffix; a bracketed IPv6 literal keeps its brackets. */
int pcap_app_http_host(const uint8_t *p, size_t len, char out[PCAP_APP_MAX_NAME], size_t *out_len);

#endif
