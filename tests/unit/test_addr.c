/*
 * Unit tests of IP addresses: strict parsing, canonical formatting, and the
 * range tests that the reference rule's ipv4_is_private() depends on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/event/addr.h"

static ih_addr parse_ok(const char *s)
{
    ih_addr a;
    assert_int_equal(ih_addr_parse(s, strlen(s), &a), 0);
    return a;
}

static int parse_status(const char *s)
{
    ih_addr a;
    return ih_addr_parse(s, strlen(s), &a);
}

/* ih_addr_is_rfc1918() of the address text s, which must parse. */
static bool is_private(const char *s)
{
    ih_addr a = parse_ok(s);
    return ih_addr_is_rfc1918(&a);
}

/* ih_addr_in_prefix() on address texts, which must parse. */
static bool in_prefix(const char *s, const char *prefix, unsigned bits)
{
    ih_addr a = parse_ok(s), p = parse_ok(prefix);
    return ih_addr_in_prefix(&a, &p, bits);
}

static bool equal_text(const char *x, const char *y)
{
    ih_addr a = parse_ok(x), b = parse_ok(y);
    return ih_addr_equal(&a, &b);
}

/* Parses s and writes its canonical text into out. */
static void canonical(const char *s, char out[IH_ADDR_TEXT_MAX])
{
    ih_addr a = parse_ok(s);
    ih_addr_format(&a, out);
}

static void test_ipv4_dotted_quad(void **state)
{
    (void)state;
    ih_addr a = parse_ok("192.0.2.1");

    assert_int_equal(a.family, IH_AF_INET);
    assert_int_equal(a.bytes[0], 192);
    assert_int_equal(a.bytes[1], 0);
    assert_int_equal(a.bytes[2], 2);
    assert_int_equal(a.bytes[3], 1);

    a = parse_ok("0.0.0.0");
    assert_int_equal(a.family, IH_AF_INET);
    a = parse_ok("255.255.255.255");
    assert_int_equal(a.bytes[3], 255);
}

static void test_ipv4_strict_forms(void **state)
{
    (void)state;
    assert_int_equal(parse_status("010.0.0.1"), -1);
    assert_int_equal(parse_status("10.0.0.01"), -1);
    assert_int_equal(parse_status("256.0.0.1"), -1);
    assert_int_equal(parse_status("1.2.3.256"), -1);
    assert_int_equal(parse_status("1.2.3.4."), -1);
    assert_int_equal(parse_status(".1.2.3.4"), -1);
    assert_int_equal(parse_status("1.2.3"), -1);
    assert_int_equal(parse_status("1.2.3.4.5"), -1);
    assert_int_equal(parse_status("1..3.4"), -1);
    assert_int_equal(parse_status("0x1.2.3.4"), -1);
    assert_int_equal(parse_status("1.2.3.4 "), -1);
    assert_int_equal(parse_status(" 1.2.3.4"), -1);
    assert_int_equal(parse_status("16909060"), -1);
    assert_int_equal(parse_status("1.2.3.4%eth0"), -1);
}

static void test_parse_failure_clears(void **state)
{
    (void)state;
    ih_addr a;
    memset(&a, 0xAB, sizeof(a));

    assert_int_equal(ih_addr_parse("1.2.3.999", 9, &a), -1);
    assert_int_equal(a.family, IH_AF_NONE);
    assert_int_equal(a.bytes[0], 0);
}

static void test_parse_garbage(void **state)
{
    (void)state;
    assert_int_equal(parse_status(""), -1);
    assert_int_equal(parse_status("-"), -1);
    assert_int_equal(parse_status("localhost"), -1);
    assert_int_equal(parse_status("(empty)"), -1);
    assert_int_equal(parse_status(":::"), -1);
    assert_int_equal(parse_status("1:2:3:4:5:6:7:8:9"), -1);
    assert_int_equal(parse_status("12345::"), -1);
    assert_int_equal(parse_status("::g"), -1);
}

static void test_parse_embedded_nul(void **state)
{
    (void)state;
    ih_addr a;

    assert_int_equal(ih_addr_parse("1.2.3.4\0junk", 12, &a), -1);
    assert_int_equal(ih_addr_parse("1.2.3.4\0junk", 7, &a), 0);
}

static void test_parse_too_long(void **state)
{
    (void)state;
    char big[100];
    memset(big, '1', sizeof(big));

    assert_int_equal(parse_status("0000:0000:0000:0000:0000:ffff:255.255.255.255"), 0);
    ih_addr a;
    assert_int_equal(ih_addr_parse(big, sizeof(big), &a), -1);
}

static void test_ipv6_forms(void **state)
{
    (void)state;
    ih_addr a = parse_ok("2001:db8::1");

    assert_int_equal(a.family, IH_AF_INET6);
    assert_int_equal(a.bytes[0], 0x20);
    assert_int_equal(a.bytes[1], 0x01);
    assert_int_equal(a.bytes[2], 0x0d);
    assert_int_equal(a.bytes[3], 0xb8);
    assert_int_equal(a.bytes[15], 0x01);

    assert_int_equal(parse_ok("::").family, IH_AF_INET6);
    assert_int_equal(parse_ok("::1").family, IH_AF_INET6);
    assert_int_equal(parse_ok("2001:DB8:0:0:0:0:0:1").family, IH_AF_INET6);
}

static void test_ipv6_zone_ignored(void **state)
{
    (void)state;
    ih_addr zoned = parse_ok("fe80::1%eth0");
    ih_addr plain = parse_ok("fe80::1");

    assert_int_equal(zoned.family, IH_AF_INET6);
    assert_true(ih_addr_equal(&zoned, &plain));
    assert_true(equal_text("fe80::1%12", "fe80::1"));
}

static void test_ipv4_mapped(void **state)
{
    (void)state;
    ih_addr a = parse_ok("::ffff:192.0.2.1");
    char out[IH_ADDR_TEXT_MAX];

    assert_int_equal(a.family, IH_AF_INET6);
    assert_int_equal(a.bytes[10], 0xff);
    assert_int_equal(a.bytes[11], 0xff);
    assert_int_equal(a.bytes[12], 192);
    assert_int_equal(a.bytes[15], 1);
    ih_addr_format(&a, out);
    assert_string_equal(out, "::ffff:192.0.2.1");
    /* A mapped address is IPv6 to the rule: not equal to the IPv4 address, never private. */
    ih_addr v4 = parse_ok("192.0.2.1");
    assert_false(ih_addr_equal(&a, &v4));
    assert_false(is_private("::ffff:10.0.0.1"));
}

static void test_format_canonical(void **state)
{
    (void)state;
    char out[IH_ADDR_TEXT_MAX];

    canonical("192.0.2.1", out);
    assert_string_equal(out, "192.0.2.1");
    canonical("2001:DB8::1", out);
    assert_string_equal(out, "2001:db8::1");
    canonical("2001:0db8:0000:0000:0000:0000:0000:0001", out);
    assert_string_equal(out, "2001:db8::1");
    /* RFC 5952: the longest zero run is compressed, the first of equal runs. */
    canonical("2001:db8:0:0:1:0:0:1", out);
    assert_string_equal(out, "2001:db8::1:0:0:1");
    canonical("2001:0:0:1:0:0:0:1", out);
    assert_string_equal(out, "2001:0:0:1::1");
    /* A single zero field is not compressed. */
    canonical("2001:db8:0:1:1:1:1:1", out);
    assert_string_equal(out, "2001:db8:0:1:1:1:1:1");
    canonical("0:0:0:0:0:0:0:0", out);
    assert_string_equal(out, "::");
    canonical("fe80::1%eth0", out);
    assert_string_equal(out, "fe80::1");
}

static void test_format_none(void **state)
{
    (void)state;
    ih_addr none = {0};
    char out[IH_ADDR_TEXT_MAX];

    memset(out, 'x', sizeof(out));
    ih_addr_format(&none, out);
    assert_string_equal(out, "");
}

static void test_equal(void **state)
{
    (void)state;
    ih_addr a = parse_ok("192.0.2.1"), b = parse_ok("192.0.2.1"), c = parse_ok("192.0.2.2");
    ih_addr v6a = parse_ok("2001:db8::1"), v6b = parse_ok("2001:0db8::0001");

    assert_true(ih_addr_equal(&a, &b));
    assert_false(ih_addr_equal(&a, &c));
    assert_true(ih_addr_equal(&v6a, &v6b));
    assert_false(ih_addr_equal(&a, &v6a));
}

static void test_rfc1918_boundaries(void **state)
{
    (void)state;
    assert_false(is_private("9.255.255.255"));
    assert_true(is_private("10.0.0.0"));
    assert_true(is_private("10.255.255.255"));
    assert_false(is_private("11.0.0.0"));
    assert_false(is_private("172.15.255.255"));
    assert_true(is_private("172.16.0.0"));
    assert_true(is_private("172.20.1.1"));
    assert_true(is_private("172.31.255.255"));
    assert_false(is_private("172.32.0.0"));
    assert_false(is_private("192.167.255.255"));
    assert_true(is_private("192.168.0.0"));
    assert_true(is_private("192.168.255.255"));
    assert_false(is_private("192.169.0.0"));
}

static void test_rfc1918_other_ranges_public(void **state)
{
    (void)state;
    /* ipv4_is_private() tests only RFC 1918: loopback, link-local and CGNAT count as public. */
    assert_false(is_private("127.0.0.1"));
    assert_false(is_private("169.254.1.1"));
    assert_false(is_private("100.64.0.1"));
    assert_false(is_private("0.0.0.0"));
}

static void test_rfc1918_ipv6_false(void **state)
{
    (void)state;
    ih_addr none = {0};

    assert_false(is_private("fd00::1"));
    assert_false(is_private("::1"));
    /* The first bytes of this IPv6 address are 10.0.0.0 read as IPv4. */
    assert_false(is_private("a00::1"));
    assert_false(ih_addr_is_rfc1918(&none));
}

static void test_in_prefix_ipv4(void **state)
{
    (void)state;
    ih_addr host = parse_ok("192.0.2.77");

    assert_true(in_prefix("10.200.3.4", "10.0.0.0", 8));
    assert_false(in_prefix("11.0.0.0", "10.0.0.0", 8));
    assert_true(in_prefix("172.31.255.255", "172.16.0.0", 12));
    assert_false(in_prefix("172.32.0.0", "172.16.0.0", 12));
    assert_false(in_prefix("172.15.255.255", "172.16.0.0", 12));
    assert_true(in_prefix("192.0.2.77", "192.0.2.77", 32));
    assert_false(in_prefix("192.0.2.76", "192.0.2.77", 32));
    assert_true(in_prefix("192.0.2.76", "192.0.2.77", 31));
    /* Bits of the prefix past its length do not matter. */
    assert_true(in_prefix("192.0.2.1", "192.0.2.77", 24));
    assert_true(in_prefix("8.8.8.8", "192.0.2.77", 0));
    assert_false(ih_addr_in_prefix(&host, &host, 33));
}

static void test_in_prefix_ipv6(void **state)
{
    (void)state;
    ih_addr net = parse_ok("2001:db8::");

    assert_true(in_prefix("2001:db8:ffff::1", "2001:db8::", 32));
    assert_false(in_prefix("2001:db9::1", "2001:db8::", 32));
    assert_true(in_prefix("2001:db8::1", "2001:db8::", 127));
    assert_false(in_prefix("2001:db8::2", "2001:db8::", 127));
    assert_true(in_prefix("2001:db8::1", "2001:db8::1", 128));
    assert_false(ih_addr_in_prefix(&net, &net, 129));
    /* fc00::/7 covers fd00::/8. */
    assert_true(in_prefix("fd12::1", "fc00::", 7));
    assert_false(in_prefix("fe00::1", "fc00::", 7));
}

static void test_in_prefix_mixed_families(void **state)
{
    (void)state;
    ih_addr v4 = parse_ok("10.0.0.1"), v6 = parse_ok("a00::");

    assert_false(ih_addr_in_prefix(&v4, &v6, 8));
    assert_false(ih_addr_in_prefix(&v6, &v4, 8));
    assert_false(ih_addr_in_prefix(&v4, &v6, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_dotted_quad),
        cmocka_unit_test(test_ipv4_strict_forms),
        cmocka_unit_test(test_parse_failure_clears),
        cmocka_unit_test(test_parse_garbage),
        cmocka_unit_test(test_parse_embedded_nul),
        cmocka_unit_test(test_parse_too_long),
        cmocka_unit_test(test_ipv6_forms),
        cmocka_unit_test(test_ipv6_zone_ignored),
        cmocka_unit_test(test_ipv4_mapped),
        cmocka_unit_test(test_format_canonical),
        cmocka_unit_test(test_format_none),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_rfc1918_boundaries),
        cmocka_unit_test(test_rfc1918_other_ranges_public),
        cmocka_unit_test(test_rfc1918_ipv6_false),
        cmocka_unit_test(test_in_prefix_ipv4),
        cmocka_unit_test(test_in_prefix_ipv6),
        cmocka_unit_test(test_in_prefix_mixed_families),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
