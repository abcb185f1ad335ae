/*
 * Unit tests of string interning: stable ids, the empty string as id 0,
 * growth past the initial table, and byte strings that contain NUL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/detect/intern.h"

static uint32_t add_text(intern *t, const char *s)
{
    return intern_add(t, s, strlen(s));
}

static void test_empty_string_is_zero(void **state)
{
    (void)state;
    intern t;

    assert_int_equal(intern_init(&t), 0);
    assert_int_equal(t.count, 1);
    assert_int_equal(intern_add(&t, "", 0), 0);
    assert_int_equal(intern_text(&t, 0).len, 0);
    assert_non_null(intern_text(&t, 0).ptr);
    assert_string_equal(intern_text(&t, 0).ptr, "");
    /* A zero-length view anywhere is the empty string. */
    assert_int_equal(intern_add(&t, "ignored", 0), 0);
    intern_free(&t);
}

static void test_ids_stable(void **state)
{
    (void)state;
    intern t;
    assert_int_equal(intern_init(&t), 0);

    uint32_t a = add_text(&t, "alpha");
    uint32_t b = add_text(&t, "beta");
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_int_equal(add_text(&t, "alpha"), a);
    assert_int_equal(add_text(&t, "beta"), b);
    assert_int_equal(t.count, 3);
    intern_free(&t);
}

static void test_text_is_a_copy(void **state)
{
    (void)state;
    intern t;
    char buf[16];
    assert_int_equal(intern_init(&t), 0);

    strcpy(buf, "mutable");
    uint32_t id = add_text(&t, buf);
    strcpy(buf, "changed");
    ih_str s = intern_text(&t, id);
    assert_int_equal(s.len, 7);
    assert_memory_equal(s.ptr, "mutable", 7);
    /* Copies are NUL-terminated, so they can be printed as C strings. */
    assert_int_equal(s.ptr[7], '\0');
    assert_int_not_equal(add_text(&t, buf), id);
    intern_free(&t);
}

static void test_prefixes_distinct(void **state)
{
    (void)state;
    intern t;
    assert_int_equal(intern_init(&t), 0);

    uint32_t ab = add_text(&t, "ab");
    uint32_t a = intern_add(&t, "ab", 1);
    uint32_t abc = add_text(&t, "abc");
    assert_int_not_equal(a, ab);
    assert_int_not_equal(abc, ab);
    assert_int_equal(intern_text(&t, a).len, 1);
    assert_int_equal(add_text(&t, "a"), a);
    intern_free(&t);
}

static void test_binary_with_nul(void **state)
{
    (void)state;
    intern t;
    assert_int_equal(intern_init(&t), 0);

    static const char one[] = {'a', '\0', 'b'};
    static const char two[] = {'a', '\0', 'c'};
    static const char nul[] = {'\0'};
    uint32_t x = intern_add(&t, one, sizeof(one));
    uint32_t y = intern_add(&t, two, sizeof(two));
    uint32_t z = intern_add(&t, nul, sizeof(nul));
    uint32_t a = add_text(&t, "a");

    assert_int_not_equal(x, y);
    assert_int_not_equal(x, a);
    assert_int_not_equal(z, 0);
    assert_int_equal(intern_add(&t, one, sizeof(one)), x);
    assert_int_equal(intern_add(&t, nul, sizeof(nul)), z);
    assert_int_equal(intern_text(&t, x).len, 3);
    assert_memory_equal(intern_text(&t, x).ptr, one, 3);
    assert_int_equal(intern_text(&t, z).len, 1);
    intern_free(&t);
}

static void test_many_strings_grow(void **state)
{
    (void)state;
    enum { N = 100000 };
    intern t;
    char buf[32];
    assert_int_equal(intern_init(&t), 0);

    for (uint32_t i = 0; i < N; i++) {
        int n = snprintf(buf, sizeof(buf), "host-%u.example", i);
        assert_int_equal(intern_add(&t, buf, (size_t)n), i + 1);
    }
    assert_int_equal(t.count, N + 1);
    assert_true(t.nslots >= 2 * (size_t)(N + 1));

    /* After every growth step each string still has its first id and text. */
    for (uint32_t i = 0; i < N; i++) {
        int n = snprintf(buf, sizeof(buf), "host-%u.example", i);
        assert_int_equal(intern_add(&t, buf, (size_t)n), i + 1);
        ih_str s = intern_text(&t, i + 1);
        assert_int_equal(s.len, (size_t)n);
        assert_memory_equal(s.ptr, buf, (size_t)n);
    }
    assert_int_equal(t.count, N + 1);
    intern_free(&t);
}

static void test_long_string(void **state)
{
    (void)state;
    intern t;
    size_t len = 200000; /* longer than one 64 KiB text block */
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, 'x', len);
    assert_int_equal(intern_init(&t), 0);

    uint32_t small = add_text(&t, "before");
    uint32_t id = intern_add(&t, big, len);
    assert_int_equal(intern_text(&t, id).len, len);
    assert_memory_equal(intern_text(&t, id).ptr, big, len);
    assert_int_equal(intern_add(&t, big, len), id);
    assert_string_equal(intern_text(&t, small).ptr, "before");
    assert_int_equal(add_text(&t, "after"), id + 1);
    intern_free(&t);
    free(big);
}

static void test_free_then_reuse(void **state)
{
    (void)state;
    intern t;

    assert_int_equal(intern_init(&t), 0);
    add_text(&t, "x");
    intern_free(&t);
    assert_null(t.slots);
    assert_int_equal(t.count, 0);
    assert_int_equal(intern_init(&t), 0);
    assert_int_equal(add_text(&t, "y"), 1);
    intern_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_string_is_zero),
        cmocka_unit_test(test_ids_stable),
        cmocka_unit_test(test_text_is_a_copy),
        cmocka_unit_test(test_prefixes_distinct),
        cmocka_unit_test(test_binary_with_nul),
        cmocka_unit_test(test_many_strings_grow),
        cmocka_unit_test(test_long_string),
        cmocka_unit_test(test_free_then_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
