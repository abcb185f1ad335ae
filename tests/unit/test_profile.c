/*
 * Unit tests of profiles: YAML parsing into the settings tree, every typed
 * getter and its error message, the unknown-key check, and the built-in seed
 * profile. Each error message must name the source, the line and the key, so
 * that a typo in a profile is found without a debugger.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/profile/profile.h"

#define SOURCE "test.yaml"

/* A settings file that uses every getter; line numbers matter to the tests. */
static const char good_yaml[] = "name: example\n"                /* 1 */
                                "count: 42\n"                    /* 2 */
                                "ratio: 0.5\n"                   /* 3 */
                                "window: 7d\n"                   /* 4 */
                                "ports: [80, 443]\n"             /* 5 */
                                "names:\n"                       /* 6 */
                                "  - chrome.exe\n"               /* 7 */
                                "  - 'svchost.exe'\n"            /* 8 */
                                "nested:\n"                      /* 9 */
                                "  inner: value\n"               /* 10 */
                                "pattern: '(a\\.b|c)'\n";        /* 11 */

static void parse_ok(profile *p, const char *text)
{
    int rc = profile_parse(p, SOURCE, text, strlen(text));
    if (rc != 0)
        fail_msg("profile_parse failed: %s", p->error);
}

/* Fails unless p->error contains want. */
static void assert_error_contains(const profile *p, const char *want)
{
    if (!strstr(p->error, want))
        fail_msg("error \"%s\" lacks \"%s\"", p->error, want);
}

static void test_parse_good_yaml(void **state)
{
    (void)state;
    profile p;
    parse_ok(&p, good_yaml);

    assert_non_null(p.root);
    assert_int_equal(p.root->kind, PROFILE_MAP);
    assert_int_equal(p.root->count, 8);
    assert_string_equal(p.name, SOURCE);
    profile_free(&p);
}

static void test_getters_read_values(void **state)
{
    (void)state;
    profile p;
    parse_ok(&p, good_yaml);

    const char *name = NULL;
    assert_int_equal(profile_get_string(&p, p.root, "name", &name), 0);
    assert_string_equal(name, "example");

    int64_t count = 0;
    assert_int_equal(profile_get_int(&p, p.root, "count", 0, 100, &count), 0);
    assert_int_equal(count, 42);

    double ratio = 0;
    assert_int_equal(profile_get_double(&p, p.root, "ratio", &ratio), 0);
    assert_true(ratio == 0.5);

    int64_t window = 0;
    assert_int_equal(profile_get_duration(&p, p.root, "window", &window), 0);
    assert_int_equal(window, INT64_C(7) * 86400 * 1000000000);

    int64_t *ports = NULL;
    size_t nports = 0;
    assert_int_equal(profile_get_ints(&p, p.root, "ports", 0, 65535, &ports, &nports), 0);
    assert_int_equal(nports, 2);
    assert_int_equal(ports[0], 80);
    assert_int_equal(ports[1], 443);
    free(ports);

    const char **names = NULL;
    size_t nnames = 0;
    assert_int_equal(profile_get_strings(&p, p.root, "names", &names, &nnames), 0);
    assert_int_equal(nnames, 2);
    assert_string_equal(names[0], "chrome.exe");
    assert_string_equal(names[1], "svchost.exe");
    assert_null(names[2]);
    free(names);

    profile_node *nested = NULL;
    const char *inner = NULL;
    assert_int_equal(profile_get_map(&p, p.root, "nested", &nested), 0);
    assert_int_equal(profile_get_string(&p, nested, "inner", &inner), 0);
    assert_string_equal(inner, "value");

    const char *pattern = NULL;
    assert_int_equal(profile_get_string(&p, p.root, "pattern", &pattern), 0);
    assert_string_equal(pattern, "(a\\.b|c)");

    assert_int_equal(profile_check_unused(&p, p.root, "the test"), 0);
    assert_int_equal(profile_check_unused(&p, nested, "nested"), 0);
    profile_free(&p);
}

static void test_node_lines(void **state)
{
    (void)state;
    profile p;
    parse_ok(&p, good_yaml);

    assert_int_equal(profile_get(&p, p.root, "count")->line, 2);
    assert_int_equal(profile_get(&p, p.root, "pattern")->line, 11);
    profile_free(&p);
}

static void test_durations(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t ns;
    } cases[] = {
        {"d: 500ms\n", INT64_C(500000000)},
        {"d: 30s\n", INT64_C(30000000000)},
        {"d: 5m\n", INT64_C(300000000000)},
        {"d: 1h\n", INT64_C(3600000000000)},
        {"d: 7d\n", INT64_C(604800000000000)},
        {"d: 0s\n", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        profile p;
        int64_t got = -1;
        parse_ok(&p, cases[i].text);
        assert_int_equal(profile_get_duration(&p, p.root, "d", &got), 0);
        assert_int_equal(got, cases[i].ns);
        profile_free(&p);
    }
}

static void test_missing_key(void **state)
{
    (void)state;
    profile p;
    int64_t v;
    parse_ok(&p, good_yaml);

    assert_int_equal(profile_get_int(&p, p.root, "absent", 0, 10, &v), -1);
    assert_error_contains(&p, SOURCE ":1:");
    assert_error_contains(&p, "'absent'");
    assert_error_contains(&p, "missing");
    profile_free(&p);
}

static void test_missing_key_in_nested_map(void **state)
{
    (void)state;
    profile p;
    profile_node *nested;
    const char *s;
    parse_ok(&p, good_yaml);

    assert_int_equal(profile_get_map(&p, p.root, "nested", &nested), 0);
    assert_int_equal(profile_get_string(&p, nested, "other", &s), -1);
    assert_error_contains(&p, SOURCE ":10:");
    assert_error_contains(&p, "'other'");
    profile_free(&p);
}

static void test_wrong_kind(void **state)
{
    (void)state;
    profile p;
    int64_t v;
    profile_node *m;
    const char **names;
    size_t n;
    parse_ok(&p, good_yaml);

    assert_int_equal(profile_get_int(&p, p.root, "ports", 0, 10, &v), -1);
    assert_error_contains(&p, SOURCE ":5:");
    assert_error_contains(&p, "'ports'");
    assert_error_contains(&p, "single value");

    assert_int_equal(profile_get_map(&p, p.root, "count", &m), -1);
    assert_error_contains(&p, SOURCE ":2:");
    assert_error_contains(&p, "'count'");
    assert_error_contains(&p, "a map");

    /* No line check here: the key is on line 9 and its value starts on line 10. */
    assert_int_equal(profile_get_strings(&p, p.root, "nested", &names, &n), -1);
    assert_error_contains(&p, SOURCE ":");
    assert_error_contains(&p, "'nested'");
    assert_error_contains(&p, "a list");
    profile_free(&p);
}

static void test_not_an_integer(void **state)
{
    (void)state;
    static const char *const texts[] = {"n: 12abc\n", "n: 1.5\n", "n: ''\n", "n: ten\n",
                                        "n: 99999999999999999999\n"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        profile p;
        int64_t v;
        parse_ok(&p, texts[i]);
        assert_int_equal(profile_get_int(&p, p.root, "n", INT64_MIN, INT64_MAX, &v), -1);
        assert_error_contains(&p, SOURCE ":1:");
        assert_error_contains(&p, "'n'");
        assert_error_contains(&p, "not an integer");
        profile_free(&p);
    }
}

static void test_integer_out_of_range(void **state)
{
    (void)state;
    profile p;
    int64_t v = 7;
    parse_ok(&p, "low: -1\nhigh: 65536\nedge: 65535\n");

    assert_int_equal(profile_get_int(&p, p.root, "low", 0, 65535, &v), -1);
    assert_error_contains(&p, SOURCE ":1:");
    assert_error_contains(&p, "'low'");
    assert_error_contains(&p, "outside 0 to 65535");
    assert_int_equal(v, 7);

    assert_int_equal(profile_get_int(&p, p.root, "high", 0, 65535, &v), -1);
    assert_error_contains(&p, SOURCE ":2:");
    assert_error_contains(&p, "'high'");

    assert_int_equal(profile_get_int(&p, p.root, "edge", 0, 65535, &v), 0);
    assert_int_equal(v, 65535);
    profile_free(&p);
}

static void test_ints_element_errors(void **state)
{
    (void)state;
    profile p;
    int64_t *v;
    size_t n;
    parse_ok(&p, "ports:\n  - 80\n  - 70000\nmixed:\n  - 1\n  - [2]\n");

    assert_int_equal(profile_get_ints(&p, p.root, "ports", 0, 65535, &v, &n), -1);
    assert_error_contains(&p, SOURCE ":3:");
    assert_error_contains(&p, "'ports'");

    assert_int_equal(profile_get_ints(&p, p.root, "mixed", 0, 65535, &v, &n), -1);
    assert_error_contains(&p, SOURCE ":6:");
    assert_error_contains(&p, "'mixed'");
    profile_free(&p);
}

static void test_strings_element_not_scalar(void **state)
{
    (void)state;
    profile p;
    const char **v;
    size_t n;
    parse_ok(&p, "names:\n  - a\n  - {b: c}\n");

    assert_int_equal(profile_get_strings(&p, p.root, "names", &v, &n), -1);
    assert_error_contains(&p, SOURCE ":3:");
    assert_error_contains(&p, "'names'");
    profile_free(&p);
}

static void test_not_a_number(void **state)
{
    (void)state;
    static const char *const texts[] = {"x: abc\n", "x: 1.5.2\n", "x: nan\n", "x: 1e999\n"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        profile p;
        double v;
        parse_ok(&p, texts[i]);
        assert_int_equal(profile_get_double(&p, p.root, "x", &v), -1);
        assert_error_contains(&p, SOURCE ":1:");
        assert_error_contains(&p, "'x'");
        assert_error_contains(&p, "not a number");
        profile_free(&p);
    }
}

static void test_bad_durations(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *problem;
    } cases[] = {
        {"d: 7\n", "needs a unit"},       {"d: 7x\n", "unknown unit"},
        {"d: 7 d\n", "unknown unit"},     {"d: 7days\n", "unknown unit"},
        {"d: h\n", "not a duration"},     {"d: -1h\n", "not a duration"},
        {"d: ''\n", "not a duration"},    {"d: 200000d\n", "too long"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        profile p;
        int64_t v;
        parse_ok(&p, cases[i].text);
        assert_int_equal(profile_get_duration(&p, p.root, "d", &v), -1);
        assert_error_contains(&p, SOURCE ":1:");
        assert_error_contains(&p, "'d'");
        assert_error_contains(&p, cases[i].problem);
        profile_free(&p);
    }
}

static void test_duplicate_key(void **state)
{
    (void)state;
    profile p;
    const char *text = "a: 1\nb: 2\na: 3\n";

    assert_int_equal(profile_parse(&p, SOURCE, text, strlen(text)), -1);
    assert_error_contains(&p, SOURCE ":3:");
    assert_error_contains(&p, "duplicate");
    assert_error_contains(&p, "'a'");
    profile_free(&p);
}

static void test_duplicate_key_nested(void **state)
{
    (void)state;
    profile p;
    const char *text = "outer:\n  x: 1\n  y: 2\n  x: 3\n";

    assert_int_equal(profile_parse(&p, SOURCE, text, strlen(text)), -1);
    assert_error_contains(&p, SOURCE ":4:");
    assert_error_contains(&p, "'x'");
    profile_free(&p);
}

static void test_unknown_key(void **state)
{
    (void)state;
    profile p;
    int64_t v;
    parse_ok(&p, "count: 1\ncuont: 2\n");

    assert_int_equal(profile_get_int(&p, p.root, "count", 0, 10, &v), 0);
    assert_int_equal(profile_check_unused(&p, p.root, "the test"), -1);
    assert_error_contains(&p, SOURCE ":2:");
    assert_error_contains(&p, "'cuont'");
    assert_error_contains(&p, "the test");
    profile_free(&p);
}

static void test_unknown_key_with_list_value(void **state)
{
    (void)state;
    profile p;
    parse_ok(&p, "known: 1\ntypo:\n  - a\n  - b\n");

    profile_get(&p, p.root, "known");
    assert_int_equal(profile_check_unused(&p, p.root, "the test"), -1);
    /* The message points at the key's line, where the typo is. */
    assert_error_contains(&p, SOURCE ":2:");
    assert_error_contains(&p, "'typo'");
    profile_free(&p);
}

static void test_alias_rejected(void **state)
{
    (void)state;
    profile p;
    const char *text = "a: &anchor 5\nb: *anchor\n";

    assert_int_equal(profile_parse(&p, SOURCE, text, strlen(text)), -1);
    assert_error_contains(&p, SOURCE ":2:");
    assert_error_contains(&p, "alias");
    profile_free(&p);
}

static void test_empty_document(void **state)
{
    (void)state;
    static const char *const texts[] = {"", "# only a comment\n", "\n\n"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        profile p;
        assert_int_equal(profile_parse(&p, SOURCE, texts[i], strlen(texts[i])), -1);
        assert_error_contains(&p, SOURCE);
        assert_error_contains(&p, "empty");
        profile_free(&p);
    }
}

static void test_root_not_a_map(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *where;
    } cases[] = {
        {"- a\n- b\n", SOURCE ":1:"},
        {"just text\n", SOURCE ":1:"},
        /* An explicit document start with no content is an empty scalar on the next line. */
        {"---\n", SOURCE ":2:"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        profile p;
        const char *text = cases[i].text;
        assert_int_equal(profile_parse(&p, SOURCE, text, strlen(text)), -1);
        assert_error_contains(&p, cases[i].where);
        assert_error_contains(&p, "must be a map");
        profile_free(&p);
    }
}

static void test_invalid_yaml(void **state)
{
    (void)state;
    profile p;
    const char *text = "a: 1\nb: [1, 2\nc: 3\n";

    assert_int_equal(profile_parse(&p, SOURCE, text, strlen(text)), -1);
    assert_error_contains(&p, SOURCE ":");
    assert_error_contains(&p, "invalid YAML");
    profile_free(&p);
}

static void test_map_key_not_scalar(void **state)
{
    (void)state;
    profile p;
    const char *text = "a: 1\n? [x, y]\n: 2\n";

    assert_int_equal(profile_parse(&p, SOURCE, text, strlen(text)), -1);
    assert_error_contains(&p, SOURCE ":2:");
    assert_error_contains(&p, "keys");
    profile_free(&p);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    char text[512] = "";
    profile p;

    /* 40 nested flow lists: deeper than the 32 levels a profile may use. */
    for (int i = 0; i < 40; i++)
        strcat(text, "[");
    for (int i = 0; i < 40; i++)
        strcat(text, "]");
    char doc[600];
    snprintf(doc, sizeof(doc), "a: %s\n", text);
    assert_int_equal(profile_parse(&p, SOURCE, doc, strlen(doc)), -1);
    assert_error_contains(&p, "32");
    profile_free(&p);
}

static void test_builtin_seed_loads(void **state)
{
    (void)state;
    profile p;
    profile_node *detectors, *seed, *beaconing;
    int64_t lookback;

    assert_int_equal(profile_load(&p, "seed"), 0);
    assert_string_equal(p.name, "seed");
    assert_int_equal(profile_get_map(&p, p.root, "detectors", &detectors), 0);
    assert_int_equal(profile_get_map(&p, detectors, "seed", &seed), 0);
    assert_int_equal(profile_get_map(&p, seed, "beaconing", &beaconing), 0);
    assert_int_equal(profile_get_duration(&p, beaconing, "lookback", &lookback), 0);
    assert_int_equal(lookback, INT64_C(7) * 86400 * 1000000000);
    profile_free(&p);
}

static void test_builtin_names(void **state)
{
    (void)state;
    const char *const *names = profile_builtin_names();
    bool seen_seed = false;

    for (size_t i = 0; names[i]; i++)
        seen_seed = seen_seed || strcmp(names[i], "seed") == 0;
    assert_true(seen_seed);
}

static void test_unknown_builtin(void **state)
{
    (void)state;
    profile p;

    assert_int_equal(profile_load(&p, "no-such-profile"), -1);
    assert_error_contains(&p, "'no-such-profile'");
    assert_error_contains(&p, "unknown profile");
    profile_free(&p);
}

static void test_load_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/ih-profile-XXXXXX";
    char path[256];
    profile p;
    int64_t v;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/custom.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("count: 3\nextra: 1\n", f);
    fclose(f);

    assert_int_equal(profile_load(&p, path), 0);
    assert_string_equal(p.name, path);
    assert_int_equal(profile_get_int(&p, p.root, "count", 0, 10, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(profile_check_unused(&p, p.root, "the profile"), -1);
    assert_error_contains(&p, path);
    assert_error_contains(&p, ":2:");
    assert_error_contains(&p, "'extra'");
    profile_free(&p);

    unlink(path);
    rmdir(dir);
}

static void test_load_missing_file(void **state)
{
    (void)state;
    profile p;

    assert_int_equal(profile_load(&p, "/nonexistent/profile.yaml"), -1);
    assert_error_contains(&p, "/nonexistent/profile.yaml");
    assert_error_contains(&p, "cannot open");
    profile_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good_yaml),
        cmocka_unit_test(test_getters_read_values),
        cmocka_unit_test(test_node_lines),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_missing_key),
        cmocka_unit_test(test_missing_key_in_nested_map),
        cmocka_unit_test(test_wrong_kind),
        cmocka_unit_test(test_not_an_integer),
        cmocka_unit_test(test_integer_out_of_range),
        cmocka_unit_test(test_ints_element_errors),
        cmocka_unit_test(test_strings_element_not_scalar),
        cmocka_unit_test(test_not_a_number),
        cmocka_unit_test(test_bad_durations),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_duplicate_key_nested),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_unknown_key_with_list_value),
        cmocka_unit_test(test_alias_rejected),
        cmocka_unit_test(test_empty_document),
        cmocka_unit_test(test_root_not_a_map),
        cmocka_unit_test(test_invalid_yaml),
        cmocka_unit_test(test_map_key_not_scalar),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_builtin_seed_loads),
        cmocka_unit_test(test_builtin_names),
        cmocka_unit_test(test_unknown_builtin),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
