/* tests/support/cg_test_proc: process and file helpers shared by the tests that run the cgsim
 * binary (test_cg_golden, test_cg_regressions, test_cg_swarm): whole-file reading, running a
 * program with its output captured, line-by-line comparison naming the first differing line, and
 * the "whole trace, or head + digest" store of expected traces.
 * Owns: the buffers it returns (the caller frees cgt_text_t.buf).
 * Does not own: paths and argv passed in.
 * Invariant: a cgt_text_t read by cgt_text_read is NUL-terminated at buf[len]. */
#ifndef CGSIM_TESTS_SUPPORT_CG_TEST_PROC_H
#define CGSIM_TESTS_SUPPORT_CG_TEST_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CGT_SHOW_CHARS 600            /* longest line (or log) excerpt shown in a message */

typedef struct cgt_text {
    char *buf;                        /* file contents, NUL-terminated */
    size_t len;                       /* bytes, without the NUL */
} cgt_text_t;

typedef struct cgt_digest {
    uint64_t fnv;                     /* 64-bit FNV-1a of every byte */
    long long lines;                  /* '\n' count */
    long long bytes;                  /* size */
} cgt_digest_t;

/* ---- files and processes ---- */

/* Whole file into t (buf NULL and false when it cannot be read). */
bool cgt_text_read(const char *path, cgt_text_t *t);
bool cgt_file_write(const char *path, const char *buf, size_t len);
/* Monotonic seconds: only for timeouts and progress figures, never in compared output. */
double cgt_wall_s(void);
/* The shard of a seed loop a test runs, from the environment variable `name` ("k/n": the
 * indexes i with i % n == k), so that ctest runs one long loop as parallel tests; 0/1 when
 * unset. False when it is set but is not k/n with 0 <= k < n. */
bool cgt_shard(const char *name, unsigned *k, unsigned *n);
/* The unsigned decimal in environment variable `name` into *out, `def` when it is unset or empty;
 * false (and *out = def) when it is set to anything else. */
bool cgt_env_u64(const char *name, uint64_t def, uint64_t *out);
/* Run argv (argv[0] = program path) with stdout and stderr into `log_path`; the exit status, or
 * 128 + signal, or -1 when it could not start, or -2 when `timeout_s` > 0 and it ran longer (it
 * is then killed: a simulation that never ends is a failure, not a hung test). */
int cgt_run_argv(char *const argv[], const char *log_path, double timeout_s);

/* "cgsim run <scenario> exited <rc>:" and the start of its output (from log_path) into msg. */
void cgt_exit_message(const char *scenario, int rc, const char *log_path, char *msg,
                      size_t msglen);

/* ---- comparison ---- */

cgt_digest_t cgt_digest_of(const char *buf, size_t len);
/* Line `*pos` of `t` (without its '\n'), advancing *pos; false at the end. */
bool cgt_next_line(const cgt_text_t *t, size_t *pos, const char **line, size_t *len);
/* `n` capped at CGT_SHOW_CHARS, as a printf precision. */
int cgt_show_len(size_t n);
/* Compare the first `max_lines` lines (0 = all, and then the ends must agree too). Returns true
 * when equal; otherwise `msg` names the first differing line and shows both. */
bool cgt_lines_equal(const cgt_text_t *want, const cgt_text_t *got, long long max_lines,
                     char *msg, size_t msglen);
bool cgt_parse_digest(const char *s, cgt_digest_t *d);
void cgt_format_digest(const cgt_digest_t *d, char *buf, size_t len);

/* ---- expected traces: whole (<= max_bytes), or the first head_lines lines + digest ---- */

bool cgt_store_write(const char *jsonl, const char *digest, const cgt_text_t *got,
                     size_t max_bytes, int head_lines, char *msg, size_t msglen);
/* A missing `jsonl` fails with "no <what> <jsonl> (<hint>)". */
bool cgt_store_compare(const char *jsonl, const char *digest, const cgt_text_t *got,
                       int head_lines, const char *what, const char *hint, char *msg,
                       size_t msglen);

/* ---- misc ---- */

/* qsort/bsearch order of `char *` names (strcmp: a total order). */
int cgt_name_cmp(const void *a, const void *b);
/* Environment variable set to something other than "" or "0". */
bool cgt_env_set(const char *name);

#endif
