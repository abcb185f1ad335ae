/*
 * Unit tests of bad-input diagnostics: which messages are kept (the first
 * IH_DIAG_KEEP in input order, whatever the order they arrive in and however
 * many workers report them), how they are printed, the counters, and the
 * strict flag.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/event/diag.h"

/* Reports a bad record in file "f<index>.log" at line and offset. */
static void bad_at(ih_diag *d, uint32_t file_index, uint64_t line, uint64_t offset)
{
    char file[32];
    snprintf(file, sizeof(file), "f%u.log", file_index);
    ih_origin o = {file, "json", line, offset};
    ih_diag_bad(d, &o, file_index, "invalid JSON", "record at %llu", (unsigned long long)offset);
}

/* Prints d's messages into a string that the caller frees. */
static char *printed_messages(const ih_diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    ih_diag_print_messages(d, f);
    fclose(f);
    return buf;
}

static char *printed_stats(const ih_diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    ih_diag_print_stats(d, f);
    fclose(f);
    return buf;
}

/* The offsets of the kept messages, sorted by input order. */
static void kept_offsets(const ih_diag *d, uint64_t *out)
{
    char *text = printed_messages(d);
    const char *p = text;
    for (size_t i = 0; i < d->nmsgs; i++) {
        p = strstr(p, "record at ");
        assert_non_null(p);
        p += strlen("record at ");
        out[i] = strtoull(p, NULL, 10);
    }
    free(text);
}

static void test_message_format(void **state)
{
    (void)state;
    ih_diag d;
    ih_diag_init(&d, false);

    bad_at(&d, 0, 7, 120);
    char *text = printed_messages(&d);
    assert_string_equal(text, "infrahunt: f0.log:7: invalid JSON: record at 120\n");
    free(text);
    ih_diag_free(&d);
}

static void test_message_without_detail(void **state)
{
    (void)state;
    ih_diag d;
    ih_origin o = {"x.log", "zeek-conn-tsv", 3, 10};
    ih_diag_init(&d, false);

    ih_diag_bad(&d, &o, 0, "missing field", "%s", "");
    char *text = printed_messages(&d);
    assert_string_equal(text, "infrahunt: x.log:3: missing field\n");
    free(text);
    ih_diag_free(&d);
}

static void test_message_binary_offset(void **state)
{
    (void)state;
    ih_diag d;
    ih_origin o = {"trace.bin", "input", 0, 4096};
    ih_diag_init(&d, false);

    ih_diag_bad(&d, &o, 0, "unreadable input", "truncated");
    char *text = printed_messages(&d);
    assert_string_equal(text, "infrahunt: trace.bin: byte 4096: unreadable input: truncated\n");
    free(text);
    ih_diag_free(&d);
}

static void test_message_stdin_name(void **state)
{
    (void)state;
    ih_diag d;
    ih_origin o = {NULL, NULL, 2, 0};
    ih_diag_init(&d, false);

    ih_diag_bad(&d, &o, 0, "invalid JSON", "x");
    char *text = printed_messages(&d);
    assert_string_equal(text, "infrahunt: -:2: invalid JSON: x\n");
    free(text);
    /* A record without a format is counted under "input". */
    assert_int_equal(d.nskipped, 1);
    assert_string_equal(d.skipped[0].source, "input");
    ih_diag_free(&d);
}

static void test_keeps_first_ten_in_order(void **state)
{
    (void)state;
    ih_diag d;
    ih_diag_init(&d, false);

    /* Offsets 0, 10, ..., 140 arrive in a scrambled order. */
    static const uint64_t order[] = {140, 30, 0, 120, 90, 10, 130, 60, 20, 110,
                                     50, 100, 40, 80, 70};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        bad_at(&d, 0, order[i] / 10 + 1, order[i]);

    assert_int_equal(d.nmsgs, IH_DIAG_KEEP);
    assert_int_equal(d.errors, 15);
    uint64_t kept[IH_DIAG_KEEP];
    kept_offsets(&d, kept);
    for (size_t i = 0; i < IH_DIAG_KEEP; i++)
        assert_int_equal(kept[i], i * 10);

    char *text = printed_messages(&d);
    assert_non_null(strstr(text, "... and 5 more bad records"));
    free(text);
    ih_diag_free(&d);
}

static void test_file_index_before_offset(void **state)
{
    (void)state;
    ih_diag d;
    ih_diag_init(&d, false);

    /* A later file's first record comes after an earlier file's last one. */
    bad_at(&d, 1, 1, 0);
    bad_at(&d, 0, 900, 90000);
    char *text = printed_messages(&d);
    const char *first = strstr(text, "f0.log:900:");
    const char *second = strstr(text, "f1.log:1:");
    assert_non_null(first);
    assert_non_null(second);
    assert_true(first < second);
    free(text);
    ih_diag_free(&d);
}

static void test_merge_keeps_global_first(void **state)
{
    (void)state;
    enum { WORKERS = 3, PER_WORKER = 8 };
    ih_diag workers[WORKERS], total;

    /* Worker w reports offsets w, w + 3, w + 6, ... of file 0, in descending order. */
    for (int w = 0; w < WORKERS; w++) {
        ih_diag_init(&workers[w], false);
        for (int k = PER_WORKER - 1; k >= 0; k--)
            bad_at(&workers[w], 0, (uint64_t)(w + 3 * k + 1), (uint64_t)(w + 3 * k));
        ih_diag_count_read(&workers[w], "json", 100);
        ih_diag_count_event(&workers[w], "json", "conn", 90);
    }

    /* Merging in any worker order keeps offsets 0 to 9. */
    static const int orders[][WORKERS] = {{0, 1, 2}, {2, 1, 0}, {1, 2, 0}};
    for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
        ih_diag_init(&total, false);
        for (int i = 0; i < WORKERS; i++)
            ih_diag_merge(&total, &workers[orders[o][i]]);
        assert_int_equal(total.errors, WORKERS * PER_WORKER);
        assert_int_equal(total.nmsgs, IH_DIAG_KEEP);
        uint64_t kept[IH_DIAG_KEEP];
        kept_offsets(&total, kept);
        for (size_t i = 0; i < IH_DIAG_KEEP; i++)
            assert_int_equal(kept[i], i);

        assert_int_equal(total.nread, 1);
        assert_int_equal(total.read[0].count, 300);
        assert_int_equal(total.nevents, 1);
        assert_int_equal(total.events[0].count, 270);
        assert_int_equal(ih_diag_total_skipped(&total), WORKERS * PER_WORKER);
        ih_diag_free(&total);
    }

    /* Merging copies: the workers' messages are still intact. */
    assert_int_equal(workers[0].nmsgs, PER_WORKER);
    for (int w = 0; w < WORKERS; w++)
        ih_diag_free(&workers[w]);
}

static void test_counters(void **state)
{
    (void)state;
    ih_diag d;
    ih_diag_init(&d, false);

    ih_diag_count_read(&d, "zeek-conn-tsv", 5);
    ih_diag_count_read(&d, "zeek-conn-tsv", 7);
    ih_diag_count_read(&d, "sysmon-json", 0); /* zero adds no counter */
    ih_diag_count_event(&d, "zeek-conn-tsv", "conn", 12);
    ih_diag_count_event(&d, "zeek-dns-tsv", "dns", 3);
    ih_diag_skip(&d, "sysmon-json", "not a network event");
    ih_diag_skip(&d, "sysmon-json", "not a network event");
    ih_diag_skip(&d, "sysmon-json", "other reason");
    ih_diag_count_used(&d, "seed.beaconing", 0); /* used parts are listed even at 0 */

    assert_int_equal(d.nread, 1);
    assert_string_equal(d.read[0].source, "zeek-conn-tsv");
    assert_string_equal(d.read[0].name, "records");
    assert_int_equal(d.read[0].count, 12);
    assert_int_equal(d.nevents, 2);
    assert_int_equal(d.nskipped, 2);
    assert_int_equal(d.skipped[0].count, 2);
    assert_int_equal(d.nused, 1);
    assert_int_equal(d.used[0].count, 0);
    assert_int_equal(ih_diag_total_skipped(&d), 3);
    /* Skipped records that are not bad produce no message and no error. */
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.nmsgs, 0);
    ih_diag_free(&d);
}

static void test_bad_counts_as_skipped(void **state)
{
    (void)state;
    ih_diag d;
    ih_diag_init(&d, false);

    bad_at(&d, 0, 1, 0);
    bad_at(&d, 0, 2, 5);
    assert_int_equal(d.nskipped, 1);
    assert_string_equal(d.skipped[0].source, "json");
    assert_string_equal(d.skipped[0].name, "invalid JSON");
    assert_int_equal(d.skipped[0].count, 2);
    ih_diag_free(&d);
}

static void test_stats_sorted(void **state)
{
    (void)state;
    ih_diag d;
    ih_diag_init(&d, false);

    ih_diag_count_read(&d, "zeek-conn-tsv", 2);
    ih_diag_count_read(&d, "defender-json", 1);
    char *text = printed_stats(&d);
    const char *defender = strstr(text, "defender-json");
    const char *zeek = strstr(text, "zeek-conn-tsv");
    assert_non_null(defender);
    assert_non_null(zeek);
    assert_true(defender < zeek);
    assert_non_null(strstr(text, "infrahunt: statistics"));
    free(text);
    ih_diag_free(&d);
}

static void test_strict_sets_stop(void **state)
{
    (void)state;
    ih_diag lenient, strict, total;

    ih_diag_init(&lenient, false);
    ih_diag_init(&strict, true);
    bad_at(&lenient, 0, 1, 0);
    assert_false(lenient.stop);
    assert_true(strict.strict);
    assert_false(strict.stop);
    /* Counting a skip that is not an error does not stop. */
    ih_diag_skip(&strict, "json", "empty file");
    assert_false(strict.stop);
    bad_at(&strict, 0, 1, 0);
    assert_true(strict.stop);

    ih_diag_init(&total, false);
    ih_diag_merge(&total, &lenient);
    assert_false(total.stop);
    ih_diag_merge(&total, &strict);
    assert_true(total.stop);

    ih_diag_free(&total);
    ih_diag_free(&lenient);
    ih_diag_free(&strict);
}

static void test_long_detail_truncated(void **state)
{
    (void)state;
    ih_diag d;
    char big[2000];
    ih_origin o = {"a.log", "json", 1, 0};

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ih_diag_init(&d, false);
    ih_diag_bad(&d, &o, 0, "invalid JSON", "%s", big);
    assert_int_equal(d.nmsgs, 1);
    assert_true(strlen(d.msgs[0].text) < 600);
    ih_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_format),
        cmocka_unit_test(test_message_without_detail),
        cmocka_unit_test(test_message_binary_offset),
        cmocka_unit_test(test_message_stdin_name),
        cmocka_unit_test(test_keeps_first_ten_in_order),
        cmocka_unit_test(test_file_index_before_offset),
        cmocka_unit_test(test_merge_keeps_global_first),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_bad_counts_as_skipped),
        cmocka_unit_test(test_stats_sorted),
        cmocka_unit_test(test_strict_sets_stop),
        cmocka_unit_test(test_long_detail_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
