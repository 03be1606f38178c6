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

struct sim_trace_writer;

typedef struct sim_trace {
    FILE *out;                        /* destination, NULL = discard everything */
    struct sim_trace_writer *writer;  /* background thread writing full buffers, or NULL */
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
 * opened by path is written by a background thread (the bytes are the same; the caller's thread
 * only formats); stdout and files given by the caller are written in the caller's thread. */
int sim_trace_open(sim_trace_t *tr, const char *path);
int sim_trace_open_file(sim_trace_t *tr, FILE *f);   /* not owned */
/* Flush and close; returns 0 or the first I/O error (errno value). */
int sim_trace_close(sim_trace_t *tr);
int sim_trace_flush(sim_trace_t *tr);

/* A record: begin writes {"t":<ms>,"type":"<type>"; fields follow; end writes }\n. */
void sim_trace_begin(sim_trace_t *tr, int64_t t_ns, const char *type);
void sim_trace_end(sim_trace_t *tr);
void sim_trace_str(sim_trace_t *tr, const char *key, const char *val);    /* NULL -> null */
void sim_trace_int(sim_trace_t *tr, const char *key, int64_t val);
void sim_trace_uint(sim_trace_t *tr, const char *key, uint64_t val);  /* e.g. seeds */
void sim_trace_bool(sim_trace_t *tr, const char *key, bool val);
void sim_trace_null(sim_trace_t *tr, const char *key);
/* A duration or time in ns written as milliseconds: integer part, then up to 6 decimals with
 * trailing zeros removed ("1500", "1500.25"). */
void sim_trace_ms(sim_trace_t *tr, const char *key, int64_t ns);
/* A double with "%.6g"-free fixed rules: rounded to 6 decimals, trailing zeros removed. */
void sim_trace_num(sim_trace_t *tr, const char *key, double val);
/* Arrays and objects nested in a record: key NULL inside an array. */
void sim_trace_array_begin(sim_trace_t *tr, const char *key);
void sim_trace_array_end(sim_trace_t *tr);
void sim_trace_object_begin(sim_trace_t *tr, const char *key);
void sim_trace_object_end(sim_trace_t *tr);

/* Format ns as milliseconds into buf (>= 32 bytes), as sim_trace_ms does; returns length. */
int sim_fmt_ms(char *buf, int64_t ns);
/* Format a double as sim_trace_num does; returns length. */
int sim_fmt_num(char *buf, double v);

#endif
