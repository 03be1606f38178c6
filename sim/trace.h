/* sim/trace: the JSON-lines trace writer.
 * Owns: buffering, string escaping and the fixed number formats that make trace bytes identical
 *       across machines and optimisation levels. Does not own: which records exist (models/).
 * Invariant: a record is one line; fields appear in the order the caller writes them; times are
 *            written from integer nanoseconds, never through floating point. */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct sim_trace_writer;

typedef struct sim_trace {
    FILE *out;                        /* destination, NULL = discard everything */
    struct sim_trace_writer *writer;  /* background thread formatting and writing, or NULL */
    bool owns_out;                    /* fclose on sim_trace_close */
    char *buf;                        /* pending bytes */
    size_t len;                       /* bytes pending in buf */
    size_t cap;                       /* buf capacity */
    int depth;                        /* open arrays/objects inside the record */
    bool need_comma;                  /* a value was written at this depth */
    int error;                        /* an I/O error happened (errno value) */
    uint64_t records;                 /* records written */
} sim_trace_t;

/* path "-" = stdout, NULL = discard (records are still counted). 0 or -1 with errno set. A file
 * opened by path is formatted and written by a background thread (sim/trace_writer; the bytes
 * are the same), which is why keys and record types must outlive the trace (they are literals in
 * cgsim); stdout and files given by the caller are written in the caller's thread. */
int sim_trace_open(sim_trace_t *tr, const char *path);
int sim_trace_open_file(sim_trace_t *tr, FILE *f);   /* not owned */
/* Flush and close; returns 0 or the first I/O error (errno value). */
int sim_trace_close(sim_trace_t *tr);
int sim_trace_flush(sim_trace_t *tr);

/* A record: begin writes {"t":<ms>,"type":"<type>"; fields follow; end writes }\n. */
void sim_trace_begin(sim_trace_t *tr, int64_t t_ns, const char *type);
void sim_trace_end(sim_trace_t *tr);
/* Fields; key NULL inside an array. The wrappers below measure the key where the call is
 * written: its length, or SIZE_MAX when a byte needs escaping. For a literal key (every key in
 * cgsim) the compiler folds that to a constant, and the key costs a copy of known length (the
 * hottest records carry eight). */
void sim_trace_str_k(sim_trace_t *tr, const char *key, size_t key_len, const char *val);
void sim_trace_int_k(sim_trace_t *tr, const char *key, size_t key_len, int64_t val);
void sim_trace_uint_k(sim_trace_t *tr, const char *key, size_t key_len, uint64_t val);
void sim_trace_bool_k(sim_trace_t *tr, const char *key, size_t key_len, bool val);
void sim_trace_null_k(sim_trace_t *tr, const char *key, size_t key_len);
void sim_trace_ms_k(sim_trace_t *tr, const char *key, size_t key_len, int64_t ns);
void sim_trace_num_k(sim_trace_t *tr, const char *key, size_t key_len, double val);
void sim_trace_array_begin_k(sim_trace_t *tr, const char *key, size_t key_len);
void sim_trace_object_begin_k(sim_trace_t *tr, const char *key, size_t key_len);

/* The bytes a key must not hold to be copied as is: '"', '\\' and the controls below 0x20. */
#define SIM_TRACE_KEY_ESCAPES                                                                  \
    "\"\\\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16"  \
    "\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"

/* strlen and strcspn, which GCC and Clang evaluate at compile time on a literal. */
static inline size_t sim_trace_key_len(const char *key)
{
    if (!key)
        return 0;
    size_t n = strlen(key);
    return strcspn(key, SIM_TRACE_KEY_ESCAPES) == n ? n : SIZE_MAX;
}

/* A string value (escaped as RFC 8259 says); NULL -> null. */
static inline void sim_trace_str(sim_trace_t *tr, const char *key, const char *val)
{
    sim_trace_str_k(tr, key, sim_trace_key_len(key), val);
}
static inline void sim_trace_int(sim_trace_t *tr, const char *key, int64_t val)
{
    sim_trace_int_k(tr, key, sim_trace_key_len(key), val);
}
/* e.g. seeds */
static inline void sim_trace_uint(sim_trace_t *tr, const char *key, uint64_t val)
{
    sim_trace_uint_k(tr, key, sim_trace_key_len(key), val);
}
static inline void sim_trace_bool(sim_trace_t *tr, const char *key, bool val)
{
    sim_trace_bool_k(tr, key, sim_trace_key_len(key), val);
}
static inline void sim_trace_null(sim_trace_t *tr, const char *key)
{
    sim_trace_null_k(tr, key, sim_trace_key_len(key));
}
/* A duration or time in ns written as milliseconds: integer part, then up to 6 decimals with
 * trailing zeros removed ("1500", "1500.25"). */
static inline void sim_trace_ms(sim_trace_t *tr, const char *key, int64_t ns)
{
    sim_trace_ms_k(tr, key, sim_trace_key_len(key), ns);
}
/* A double with "%.6g"-free fixed rules: rounded to 6 decimals, trailing zeros removed. */
static inline void sim_trace_num(sim_trace_t *tr, const char *key, double val)
{
    sim_trace_num_k(tr, key, sim_trace_key_len(key), val);
}
/* Arrays and objects nested in a record. */
static inline void sim_trace_array_begin(sim_trace_t *tr, const char *key)
{
    sim_trace_array_begin_k(tr, key, sim_trace_key_len(key));
}
void sim_trace_array_end(sim_trace_t *tr);
static inline void sim_trace_object_begin(sim_trace_t *tr, const char *key)
{
    sim_trace_object_begin_k(tr, key, sim_trace_key_len(key));
}
void sim_trace_object_end(sim_trace_t *tr);

/* A whole record written later: fn(tr, payload) makes the calls of exactly one record
 * (sim_trace_begin .. sim_trace_end) from a copy of the payload's size bytes (at most
 * SIM_TRACE_RECORD_MAX, aligned as max_align_t). With the background writer the copy travels
 * in one piece and fn runs on the writer's thread, so the caller's thread pays one copy instead
 * of one encoded call per field; in place fn runs now; discarding, only the record is counted.
 * The bytes are those fn writes, in call order. Pointers in the payload must outlive the trace,
 * as keys and types do, and fn must read nothing but the payload. */
#define SIM_TRACE_RECORD_MAX 1024u
typedef void (*sim_trace_record_fn)(sim_trace_t *tr, const void *payload);
void sim_trace_record(sim_trace_t *tr, sim_trace_record_fn fn, const void *payload, size_t size);

/* Format ns as milliseconds into buf (>= 32 bytes), as sim_trace_ms does; returns length. */
int sim_fmt_ms(char *buf, int64_t ns);
/* Format a double as sim_trace_num does; returns length. */
int sim_fmt_num(char *buf, double v);

#endif
