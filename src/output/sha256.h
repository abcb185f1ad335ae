/*
 * SHA-256 (FIPS 180-4), for the Content-Security-Policy hash of the HTML
 * report's style sheet. Not for secrets: it makes no attempt at constant time.
 */
#ifndef IH_SHA256_H
#define IH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

/* Computes the digest of len bytes at data. */
void sha256_digest(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);

/* Writes the digest as standard base64 with padding, 44 characters and a NUL. */
void sha256_base64(const uint8_t digest[SHA256_DIGEST_SIZE], char out[45]);

#endif
