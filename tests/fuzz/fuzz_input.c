/*
 * Fuzz harness of the whole reading framework: the input is written to a
 * temporary file, or a pipe, and read with ih_input_read(), which detects
 * gzip and zstd, splits lines, detects the format and runs the reader.
 *
 * The input's size picks the mode, so that mutations reach every mode
 * without a control byte that would spoil compressed seeds:
 *   size % 4 == 0  a mapped file, one thread
 *   size % 4 == 1  a mapped file, two threads and 16-byte chunks, so that
 *                  JSON lines are split across workers
 *   size % 4 == 2  a pipe, read as a stream like standard input (inputs up
 *                  to 60,000 bytes, which fit the pipe's buffer; larger ones
 *                  use a file)
 *   size % 4 == 3  a mapped file with --strict
 */
#include <fcntl.h>
#include <unistd.h>

#include "harness.h"

#define PIPE_MAX 60000

static char temp_path[256];
static int temp_fd = -1;

static void remove_temp(void)
{
    if (temp_fd >= 0)
        unlink(temp_path);
}

/* Writes data to the temporary file, made on first use, and returns its path. */
static const char *write_temp(const uint8_t *data, size_t size)
{
    if (temp_fd < 0) {
        const char *dir = getenv("TMPDIR");
        snprintf(temp_path, sizeof(temp_path), "%s/infrahunt-fuzz-XXXXXX", dir ? dir : "/tmp");
        temp_fd = mkstemp(temp_path);
        if (temp_fd < 0)
            harness_fail("cannot create a temporary file");
        atexit(remove_temp);
    }
    if (ftruncate(temp_fd, 0) != 0)
        harness_fail("cannot truncate the temporary file");
    for (size_t done = 0; done < size;) {
        ssize_t n = pwrite(temp_fd, data + done, size - done, (off_t)done);
        if (n <= 0)
            harness_fail("cannot write the temporary file");
        done += (size_t)n;
    }
    return temp_path;
}

/* Fills a pipe with data, closes its write end and returns the read end, named in path. */
static int fill_pipe(const uint8_t *data, size_t size, char *path, size_t cap)
{
    int fds[2];

    if (pipe(fds) != 0)
        harness_fail("cannot create a pipe");
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fds[1], data + done, size - done);
        if (n <= 0)
            harness_fail("cannot fill the pipe");
        done += (size_t)n;
    }
    close(fds[1]);
    snprintf(path, cap, "/dev/fd/%d", fds[0]);
    return fds[0];
}

static ih_sink *make_sink(void *arg, unsigned worker)
{
    (void)arg;
    (void)worker;
    return &harness_sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned mode = (unsigned)(size % 4);
    ih_input_options opt = {NULL, 1, false, 0, false};
    char pipe_path[64];
    int pipe_fd = -1;
    char *paths[1];

    if (mode == 1) {
        opt.threads = 2;
        opt.chunk_size = 16;
    } else if (mode == 3) {
        opt.strict = true;
    }
    if (mode == 2 && size <= PIPE_MAX) {
        pipe_fd = fill_pipe(data, size, pipe_path, sizeof(pipe_path));
        paths[0] = pipe_path;
    } else {
        paths[0] = (char *)write_temp(data, size);
    }

    /* Open the null device before any worker thread can race to open it. */
    FILE *null_out = harness_null();
    ih_diag diag;
    ih_sink_factory sinks = {make_sink, NULL};
    ih_diag_init(&diag, opt.strict);
    int rc = ih_input_read(paths, 1, &opt, &sinks, &diag);

    /* The sink never fails, so only --strict may stop reading. */
    if (rc < 0 && !opt.strict)
        harness_fail("reading stopped without --strict");
    if (rc < -1 || rc > 1)
        harness_fail("ih_input_read() returned a status other than -1, 0 or 1");
    if (diag.nmsgs > IH_DIAG_KEEP)
        harness_fail("more messages kept than IH_DIAG_KEEP");
    ih_diag_print_messages(&diag, null_out);
    ih_diag_print_stats(&diag, null_out);
    ih_diag_free(&diag);
    if (pipe_fd >= 0)
        close(pipe_fd);
    return 0;
}
