/* Tests of sim/trace: exact bytes of records (escaping, times, numbers, nesting), determinism,
 * buffering past 64 KiB, discard mode and I/O errors. */
#include <criterion/criterion.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim/trace.h"

static void assert_ms(int64_t ns, const char *want)
{
    char buf[32];
    int n = sim_fmt_ms(buf, ns);
    cr_assert_str_eq(buf, want, "ns %lld", (long long)ns);
    cr_assert_eq(n, (int)strlen(want));
}

static void assert_num(double v, const char *want)
{
    char buf[32];
    int n = sim_fmt_num(buf, v);
    cr_assert_str_eq(buf, want, "value %.17g", v);
    cr_assert_eq(n, (int)strlen(want));
}

Test(trace, fmt_ms_uses_integer_arithmetic)
{
    assert_ms(0, "0");
    assert_ms(1500000000, "1500");
    assert_ms(1500250000, "1500.25");
    assert_ms(1, "0.000001");
    assert_ms(120, "0.00012");
    assert_ms(999999, "0.999999");
    assert_ms(1000000, "1");
    assert_ms(-1, "-0.000001");
    assert_ms(-1500000000, "-1500");
    assert_ms(-2500100, "-2.5001");
    assert_ms(INT64_MAX, "9223372036854.775807");
    assert_ms(INT64_MIN, "-9223372036854.775808");
}

Test(trace, fmt_num_rounds_to_six_decimals)
{
    assert_num(0, "0");
    assert_num(-0.0, "0");
    assert_num(1.5, "1.5");
    assert_num(0.1, "0.1");
    assert_num(1.0 / 3, "0.333333");
    assert_num(2.0 / 3, "0.666667");
    assert_num(-2.5, "-2.5");
    assert_num(1e-7, "0");
    assert_num(-1e-7, "0");
    assert_num(123456.789, "123456.789");
    assert_num(42, "42");
    assert_num(1e12, "1000000000000");
    assert_num(8999999999999.5, "8999999999999.5");
    assert_num(9e12, "9000000000000");
    assert_num(-1e18, "-1000000000000000000");
    assert_num(NAN, "null");
    assert_num(INFINITY, "null");
    assert_num(-INFINITY, "null");
}

Test(trace, fmt_num_huge_magnitudes_in_exponent_form)
{
    assert_num(1e20, "1e20");
    assert_num(-1e20, "-1e20");
    assert_num(1.5e300, "1.5000000000000001e300");   /* 17 digits, not shortest */
    assert_num(1e300, "1.0000000000000001e300");
    assert_num(18446744073709551616.0, "1.8446744073709552e19");   /* 2^64 */
    assert_num(123456789012345678901234.0, "1.2345678901234569e23");
    assert_num(DBL_MAX, "1.7976931348623157e308");
}

/* Everything written to a memory stream; returns malloc'd bytes. */
typedef void (*writer_fn)(sim_trace_t *tr);

static char *capture(writer_fn w, size_t *len_out)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    cr_assert_not_null(f);
    sim_trace_t tr;
    cr_assert_eq(sim_trace_open_file(&tr, f), 0);
    w(&tr);
    cr_assert_eq(sim_trace_close(&tr), 0);
    fclose(f);
    if (len_out)
        *len_out = len;
    return mem;
}

static void write_sample(sim_trace_t *tr)
{
    sim_trace_begin(tr, 1500250000, "member_join");
    sim_trace_str(tr, "group", "g\"1\\");
    sim_trace_str(tr, "member", "a\nb\x01\x1f\x7f\xc3\xa9");
    sim_trace_str(tr, "none", NULL);
    sim_trace_int(tr, "n", -42);
    sim_trace_int(tr, "big", INT64_MIN);
    sim_trace_bool(tr, "ok", true);
    sim_trace_bool(tr, "no", false);
    sim_trace_null(tr, "z");
    sim_trace_ms(tr, "duration_ms", 2000);
    sim_trace_num(tr, "x", 0.125);
    sim_trace_end(tr);
    sim_trace_begin(tr, 0, "assignment");
    sim_trace_array_begin(tr, "partitions");
    for (int p = 0; p < 2; p++) {
        sim_trace_array_begin(tr, NULL);
        sim_trace_str(tr, NULL, "orders");
        sim_trace_int(tr, NULL, p);
        sim_trace_array_end(tr);
    }
    sim_trace_array_end(tr);
    sim_trace_object_begin(tr, "o");
    sim_trace_int(tr, "a", 1);
    sim_trace_array_begin(tr, "e");
    sim_trace_array_end(tr);
    sim_trace_object_begin(tr, "f");
    sim_trace_object_end(tr);
    sim_trace_object_end(tr);
    sim_trace_array_begin(tr, "last");
    sim_trace_array_end(tr);
    sim_trace_end(tr);
}

Test(trace, exact_record_bytes)
{
    const char *want =
        "{\"t\":1500.25,\"type\":\"member_join\",\"group\":\"g\\\"1\\\\\","
        "\"member\":\"a\\u000ab\\u0001\\u001f\x7f\xc3\xa9\",\"none\":null,\"n\":-42,"
        "\"big\":-9223372036854775808,\"ok\":true,\"no\":false,\"z\":null,"
        "\"duration_ms\":0.002,\"x\":0.125}\n"
        "{\"t\":0,\"type\":\"assignment\",\"partitions\":[[\"orders\",0],[\"orders\",1]],"
        "\"o\":{\"a\":1,\"e\":[],\"f\":{}},\"last\":[]}\n";
    size_t len;
    char *got = capture(write_sample, &len);
    cr_assert_str_eq(got, want);
    cr_assert_eq(len, strlen(want));
    char *again = capture(write_sample, NULL);
    cr_assert_str_eq(again, got, "two identical writes must give identical bytes");
    free(got);
    free(again);
}

static void write_many(sim_trace_t *tr)
{
    static char long_str[100001];
    memset(long_str, 'x', sizeof long_str - 1);
    long_str[sizeof long_str - 1] = '\0';
    for (int i = 0; i < 10000; i++) {
        sim_trace_begin(tr, (int64_t)i * 1000, "tick");
        sim_trace_int(tr, "i", i);
        sim_trace_end(tr);
    }
    sim_trace_begin(tr, 0, "long");   /* larger than the buffer: written directly */
    sim_trace_str(tr, "s", long_str);
    sim_trace_end(tr);
    cr_assert_eq(tr->records % 10001, 0);
}

Test(trace, buffering_keeps_every_byte_in_order)
{
    size_t len;
    char *got = capture(write_many, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += got[i] == '\n';
    cr_assert_eq(lines, 10001);
    cr_assert(strncmp(got, "{\"t\":0,\"type\":\"tick\",\"i\":0}\n", 27) == 0);
    cr_assert_not_null(strstr(got, "{\"t\":9.999,\"type\":\"tick\",\"i\":9999}\n"
                                   "{\"t\":0,\"type\":\"long\",\"s\":\"xxxx"));
    cr_assert_eq(strlen(got), len);
    cr_assert(len > 100000 + 10000 * 28);
    cr_assert_str_eq(got + len - 6, "xxx\"}\n");
    free(got);
}

Test(trace, discard_counts_records)
{
    sim_trace_t tr;
    cr_assert_eq(sim_trace_open(&tr, NULL), 0);
    write_sample(&tr);
    cr_assert_eq(tr.records, 2);
    cr_assert_eq(tr.len, 0);
    cr_assert_eq(sim_trace_close(&tr), 0);
}

Test(trace, io_errors_are_reported)
{
    sim_trace_t tr;
    errno = 0;
    cr_assert_eq(sim_trace_open(&tr, "/nonexistent-dir/x.jsonl"), -1);
    cr_assert_eq(errno, ENOENT);
    cr_assert_eq(sim_trace_open(&tr, "/dev/full"), 0);
    write_many(&tr);
    cr_assert_eq(sim_trace_close(&tr), ENOSPC);
}

#define TEMP_TRACE "/tmp/cgsim-trace-XXXXXX"

/* A trace on a new temporary file opened by path, so written by the background thread. */
static void open_temp(sim_trace_t *tr, char *path)
{
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(sim_trace_open(tr, path), 0);
    cr_assert_not_null(tr->writer, "a file opened by path gets the writer thread");
}

/* The file's bytes (up to cap, NUL-terminated), then the file removed; *len their count. */
static char *slurp(const char *path, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    char *buf = calloc(cap + 1, 1);
    cr_assert_not_null(buf);
    *len = fread(buf, 1, cap, f);
    fclose(f);
    remove(path);
    return buf;
}

/* What fn writes to a trace on a temporary file (up to cap bytes; the background thread's
 * path), closed without error; *n the byte count. */
static char *through_file(void (*fn)(sim_trace_t *), size_t cap, size_t *n)
{
    char path[] = TEMP_TRACE;
    sim_trace_t tr;
    open_temp(&tr, path);
    fn(&tr);
    cr_assert_eq(sim_trace_close(&tr), 0);
    return slurp(path, cap, n);
}

Test(trace, file_output_matches_memory_output)
{
    size_t n;
    char *buf = through_file(write_sample, 1023, &n);
    char *mem = capture(write_sample, NULL);
    cr_assert_eq(n, strlen(mem));
    cr_assert_str_eq(buf, mem);
    free(buf);
    free(mem);
}

/* Many buffers' worth, with pieces larger than a buffer, in a file opened by path (written by
 * the background thread): the same bytes as the caller's-thread path. */
static void write_lots(sim_trace_t *tr)
{
    for (int round = 0; round < 40; round++)
        write_many(tr);
}

/* write_lots, a flush, then write_sample. */
static void write_lots_flush_sample(sim_trace_t *tr)
{
    write_lots(tr);
    cr_assert_eq(sim_trace_flush(tr), 0);
    write_sample(tr);
}

Test(trace, background_writer_keeps_every_byte_in_order)
{
    size_t len, n;
    char *want = capture(write_lots, &len);
    char *tail = capture(write_sample, NULL);
    size_t tail_len = strlen(tail);
    char *got = through_file(write_lots_flush_sample, len + tail_len + 1, &n);
    cr_assert_eq(n, len + tail_len);
    cr_assert(memcmp(got, want, len) == 0);
    cr_assert(memcmp(got + len, tail, tail_len) == 0);
    free(got);
    free(want);
    free(tail);
}

static void write_ints(sim_trace_t *tr)
{
    sim_trace_begin(tr, 0, "ints");
    for (int64_t v = -1000; v <= 1000; v++)
        sim_trace_int(tr, NULL, v);
    int64_t p = 1;
    for (int e = 1; e <= 18; e++) {   /* 10^1 .. 10^18 */
        p *= 10;
        sim_trace_int(tr, NULL, p - 1);
        sim_trace_int(tr, NULL, p);
        sim_trace_int(tr, NULL, -p - 1);
    }
    sim_trace_int(tr, "max", INT64_MAX);
    sim_trace_int(tr, "k\"ey", INT64_MIN);   /* a key that needs escaping */
    sim_trace_end(tr);
}

/* Integers through the two-digits-per-division formatter give printf's bytes; escaped keys take
 * the slow path with the same separators. */
Test(trace, ints_match_printf_and_keys_escape)
{
    char *want = malloc(1 << 16);
    cr_assert_not_null(want);
    size_t n = (size_t)sprintf(want, "{\"t\":0,\"type\":\"ints\"");
    for (long long v = -1000; v <= 1000; v++)
        n += (size_t)sprintf(want + n, ",%lld", v);
    long long p = 1;
    for (int e = 1; e <= 18; e++) {
        p *= 10;
        n += (size_t)sprintf(want + n, ",%lld,%lld,%lld", p - 1, p, -p - 1);
    }
    sprintf(want + n, ",\"max\":%lld,\"k\\\"ey\":%lld}\n", (long long)INT64_MAX,
            (long long)INT64_MIN);
    char *got = capture(write_ints, NULL);
    cr_assert_str_eq(got, want);
    free(got);
    free(want);
}

static void write_uints(sim_trace_t *tr)
{
    sim_trace_begin(tr, 0, "run_start");
    sim_trace_uint(tr, "seed", UINT64_MAX);
    sim_trace_uint(tr, "zero", 0);
    sim_trace_uint(tr, "mid", UINT64_C(9223372036854775808));
    sim_trace_end(tr);
}

Test(trace, uint64_written_digit_for_digit)
{
    char *got = capture(write_uints, NULL);
    cr_assert_str_eq(got, "{\"t\":0,\"type\":\"run_start\",\"seed\":18446744073709551615,"
                          "\"zero\":0,\"mid\":9223372036854775808}\n");
    free(got);
}

/* ---- sim_trace_record: a whole record made later from a copied payload ---- */

typedef struct rec_payload {
    int64_t t_ns;
    const char *who;
    double x;
    int64_t n;
    int64_t v[];                      /* n values */
} rec_payload_t;

#define REC_V_MAX ((SIM_TRACE_RECORD_MAX - sizeof(rec_payload_t)) / sizeof(int64_t))

static int rec_fn_calls;

/* The record of a payload, field by field: what the direct writer below writes too. */
static void rec_fields(sim_trace_t *tr, const rec_payload_t *r)
{
    sim_trace_begin(tr, r->t_ns, "rec");
    sim_trace_str(tr, "who", r->who);
    sim_trace_num(tr, "x", r->x);
    sim_trace_array_begin(tr, "v");
    for (int64_t i = 0; i < r->n; i++)
        sim_trace_int(tr, NULL, r->v[i]);
    sim_trace_array_end(tr);
    sim_trace_end(tr);
}

static void rec_fn(sim_trace_t *tr, const void *payload)
{
    rec_fn_calls++;
    cr_assert_eq((uintptr_t)payload % _Alignof(max_align_t), 0, "the payload comes aligned");
    rec_fields(tr, payload);
}

/* Records of every payload size up to the largest, each after a record whose odd length moves
 * the encoding off alignment; direct: field by field instead of through sim_trace_record. The
 * payload is scribbled on after each call: the trace must have taken its copy. */
static void write_records(sim_trace_t *tr, bool direct)
{
    union {
        rec_payload_t r;
        max_align_t align;
        unsigned char bytes[SIM_TRACE_RECORD_MAX];
    } buf;
    static const char *const who[] = {"a", "bb", "c\"c", "dddd"};
    for (int i = 0; i < 3000; i++) {
        sim_trace_begin(tr, i, "pad");
        sim_trace_str(tr, "s", who[i % 4]);
        sim_trace_end(tr);
        int64_t n = (int64_t)((size_t)i % (REC_V_MAX + 1));
        buf.r = (rec_payload_t){(int64_t)i * 1000003, who[(i / 4) % 4], i / 8.0, n};
        for (int64_t k = 0; k < n; k++)
            buf.r.v[k] = (k % 2 ? -1 : 1) * (int64_t)i * k;
        if (direct)
            rec_fields(tr, &buf.r);
        else
            sim_trace_record(tr, rec_fn, &buf.r, sizeof buf.r + (size_t)n * sizeof(int64_t));
        memset(buf.bytes, 0x5a, sizeof buf.bytes);
    }
}

static void write_records_deferred(sim_trace_t *tr) { write_records(tr, false); }
static void write_records_direct(sim_trace_t *tr) { write_records(tr, true); }

Test(trace, deferred_records_write_the_bytes_of_their_fields)
{
    size_t want_len, got_len;
    char *want = capture(write_records_direct, &want_len);
    rec_fn_calls = 0;
    char *got = capture(write_records_deferred, &got_len);
    cr_assert_eq(rec_fn_calls, 3000, "in place, fn runs at once");
    cr_assert_eq(got_len, want_len);
    cr_assert(memcmp(got, want, want_len) == 0);
    free(got);

    char path[] = TEMP_TRACE;
    sim_trace_t tr;
    open_temp(&tr, path);
    rec_fn_calls = 0;
    write_records_deferred(&tr);
    cr_assert_eq(tr.records, 6000);
    cr_assert_eq(sim_trace_close(&tr), 0);
    cr_assert_eq(rec_fn_calls, 3000, "on the writer's thread, every fn has run by the close");
    got = slurp(path, want_len + 1, &got_len);
    cr_assert_eq(got_len, want_len);
    cr_assert(memcmp(got, want, want_len) == 0, "the writer thread formats the same bytes");
    free(got);
    free(want);
}

Test(trace, deferred_records_are_counted_when_discarded)
{
    sim_trace_t tr;
    cr_assert_eq(sim_trace_open(&tr, NULL), 0);
    rec_fn_calls = 0;
    write_records_deferred(&tr);
    cr_assert_eq(tr.records, 6000);
    cr_assert_eq(rec_fn_calls, 0, "nothing to format");
    cr_assert_eq(sim_trace_close(&tr), 0);
}
