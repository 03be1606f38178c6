/* sim/trace_writer: the background thread that formats and writes a trace file (sim/trace).
 * Owns: the thread, the chunks of encoded calls handed to it, its own formatter (a sim_trace_t
 *       writing to the file in place). Does not own: the FILE (sim/trace opens and closes it).
 * Invariant: calls are formatted in the order they were made, by one thread, with the same
 *            sim/trace functions as in place, so the bytes are the same. */
#ifndef SIM_TRACE_WRITER_H
#define SIM_TRACE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "sim/trace.h"

typedef struct sim_trace_writer sim_trace_writer_t;

/* A started writer for out, or NULL when memory or threads run out (the caller then formats and
 * writes in place). */
sim_trace_writer_t *sim_tw_start(FILE *out);
/* Everything encoded so far formatted, written and fflushed; returns the first error (errno
 * value) or 0. */
int sim_tw_flush(sim_trace_writer_t *w);
/* Flush, stop the thread, free; returns the first error or 0. */
int sim_tw_stop(sim_trace_writer_t *w);

/* The encoded calls: the sim/trace function of the same name, made later by the writer. Keys and
 * types are kept as pointers (sim/trace.h: they outlive the trace); string values are copied. */
void sim_tw_begin(sim_trace_writer_t *w, int64_t t_ns, const char *type);
void sim_tw_end(sim_trace_writer_t *w);
void sim_tw_str(sim_trace_writer_t *w, const char *key, size_t key_len, const char *val);
void sim_tw_int(sim_trace_writer_t *w, const char *key, size_t key_len, int64_t val);
void sim_tw_uint(sim_trace_writer_t *w, const char *key, size_t key_len, uint64_t val);
void sim_tw_bool(sim_trace_writer_t *w, const char *key, size_t key_len, bool val);
void sim_tw_null(sim_trace_writer_t *w, const char *key, size_t key_len);
void sim_tw_ms(sim_trace_writer_t *w, const char *key, size_t key_len, int64_t ns);
void sim_tw_num(sim_trace_writer_t *w, const char *key, size_t key_len, double val);
void sim_tw_open(sim_trace_writer_t *w, const char *key, size_t key_len, bool object);
void sim_tw_close(sim_trace_writer_t *w, bool object);
/* sim_trace_record: fn and a copy of the payload (size <= SIM_TRACE_RECORD_MAX). */
void sim_tw_record(sim_trace_writer_t *w, sim_trace_record_fn fn, const void *payload,
                   size_t size);

#endif
