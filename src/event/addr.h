/* IP addresses: parsing, formatting and the ranges the detectors test. */
#ifndef IH_ADDR_H
#define IH_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

/* Longest text ih_addr_format() writes, with its terminating NUL. */
#define IH_ADDR_TEXT_MAX 46

/*
 * Parses a dotted-quad IPv4 address (no leading zeros, as inet_pton) or an
 * IPv6 address; an IPv6 zone ("%eth0") is ignored. Returns 0, or -1 and
 * leaves out with family IH_AF_NONE.
 */
int ih_addr_parse(const char *s, size_t len, ih_addr *out);

/* Writes the canonical text of a (RFC 5952 for IPv6); "" for IH_AF_NONE. */
void ih_addr_format(const ih_addr *a, char out[IH_ADDR_TEXT_MAX]);

bool ih_addr_equal(const ih_addr *a, const ih_addr *b);

/* True for 10/8, 172.16/12 and 192.168/16: what KQL's ipv4_is_private() tests. */
bool ih_addr_is_rfc1918(const ih_addr *a);

/* True when a is within prefix/bits of the same family. */
bool ih_addr_in_prefix(const ih_addr *a, const ih_addr *prefix, unsigned bits);

#endif
