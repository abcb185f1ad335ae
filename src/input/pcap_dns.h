/*
 * Parsing of one DNS message in wire format (RFC 1035): the header, the
 * first question and the answer section, with compressed names.
 *
 * Ownership: the texts of the question and of the answers point into the
 * message's own text area, valid until the next parse into the same struct.
 */
#ifndef IH_PCAP_DNS_H
#define IH_PCAP_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../event/event.h"

/* Bytes of text per message for the question and the answers' names and data. */
#define PCAP_DNS_TEXT 16384

typedef struct pcap_dns_msg {
    uint16_t id;
    bool response;          /* the QR bit */
    uint8_t opcode, rcode;
    bool has_question;
    uint16_t qtype;
    ih_str qname;           /* presentation form, such as "www.example.com" */
    size_t answer_count, answers_dropped;
    ih_dns_answer answers[IH_DNS_MAX_ANSWERS];
    char problem[96];       /* why the message is invalid, when pcap_dns_parse() fails */
    size_t text_used;
    char text[PCAP_DNS_TEXT];
} pcap_dns_msg;

/*
 * Parses msg[0..len). A, AAAA and CNAME answers become addresses and CNAME
 * targets; NS, PTR, DNAME, MX and SRV keep their target name and TXT its text
 * as other data; other types are other data without text. Answers beyond
 * IH_DNS_MAX_ANSWERS, or beyond the text area, are counted as dropped.
 * Returns 0, or -1 with out->problem set.
 */
int pcap_dns_parse(const uint8_t *msg, size_t len, pcap_dns_msg *out);

/* The mnemonic of a record type ("A", "AAAA", ...), or NULL for a type without one here. */
const char *pcap_dns_type_name(uint16_t type);

/* The mnemonic of a response code ("NOERROR", "NXDOMAIN", ...), or NULL. */
const char *pcap_dns_rcode_name(uint8_t rcode);

#endif
