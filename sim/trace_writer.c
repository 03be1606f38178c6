/* sim/trace_writer: a trace file formatted and written by a background thread.
 *
 * The simulation's thread only encodes each sim/trace call into a chunk of bytes (an op code,
 * the key as pointer and length, the value; a string value copied): a few stores instead of the
 * escaping, number formatting and system calls, which then run on a second core. A full chunk is
 * handed over and encoding goes on in the next of TW_CHUNKS (waiting while all are in flight).
 * The thread decodes each chunk in order and makes the same calls on its own sim_trace_t, which
 * writes in place to the file: one formatter, in call order, so the bytes are those of a trace
 * written in place (tests/test_sim_trace.c compares them). The thread blocks every signal, so
 * they reach the simulation's thread as before. Measured on bench/rolling_1000.json: the
 * formatting was a sixth of a traced run's instructions, the writes 1.3-1.6 s of system time. */
#include "sim/trace_writer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "sim/trace.h"

#define TW_CHUNK (64u * 1024u)            /* bytes of encoded calls per chunk */
/* Chunks in flight: 4 MiB, so that the bursts of a run (a rebalance writes an assignment and a
 * revoke per member, a commit round one record per partition) wait in memory, not in the
 * simulation's thread. With 4 chunks the simulation waited at 44% of the hand-overs of
 * bench/rolling_1000.json's hour, with 64 at none (the writer keeps up on average). */
#define TW_CHUNKS 64u
#define TW_INLINE_MAX (TW_CHUNK / 4u)     /* longer strings travel as a heap copy */

enum {
    TW_BEGIN = 1, TW_END, TW_STR, TW_STR_HEAP, TW_STR_NULL, TW_INT, TW_UINT, TW_BOOL, TW_NULL,
    TW_MS, TW_NUM, TW_OPEN_ARRAY, TW_OPEN_OBJECT, TW_CLOSE_ARRAY, TW_CLOSE_OBJECT, TW_RECORD,
};

struct sim_trace_writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;                /* signalled on every change below */
    sim_trace_t fmt;                  /* the thread's formatter, writing to the file */
    char *bufs[TW_CHUNKS];
    size_t lens[TW_CHUNKS];
    uint32_t head, count;             /* handed over: bufs[head .. head + count), in order */
    uint32_t filling;                 /* the chunk being encoded into */
    bool flush_req;                   /* format what is handed over, then fflush */
    bool stop;
    int error;                        /* first error (errno value) */
    size_t len;                       /* bytes encoded in bufs[filling] */
};

/* ---- the thread ---- */

static const char *get_ptr(const char **p)
{
    const char *v;
    memcpy(&v, *p, sizeof v);
    *p += sizeof v;
    return v;
}

static uint64_t get_u64(const char **p)
{
    uint64_t v;
    memcpy(&v, *p, sizeof v);
    *p += sizeof v;
    return v;
}

/* A sim_trace_record call: fn, the size, the payload (copied out to be aligned for fn). */
static const char *format_record(sim_trace_t *f, const char *p)
{
    sim_trace_record_fn fn;
    memcpy(&fn, p, sizeof fn);
    p += sizeof fn;
    size_t size = (size_t)get_u64(&p);
    union {
        max_align_t align;
        unsigned char bytes[SIM_TRACE_RECORD_MAX];
    } payload;
    memcpy(payload.bytes, p, size);
    fn(f, payload.bytes);
    return p + size;
}

static void format_chunk(sim_trace_t *f, const char *p, size_t n)
{
    const char *end = p + n;
    while (p < end) {
        int op = (unsigned char)*p++;
        if (op == TW_RECORD) {
            p = format_record(f, p);
            continue;
        }
        const char *key = NULL;
        size_t key_len = 0;
        if (op != TW_BEGIN && op != TW_END && op != TW_CLOSE_ARRAY && op != TW_CLOSE_OBJECT) {
            key = get_ptr(&p);
            key_len = (size_t)get_u64(&p);
        }
        switch (op) {
        case TW_BEGIN: {
            int64_t t = (int64_t)get_u64(&p);
            sim_trace_begin(f, t, get_ptr(&p));
            break;
        }
        case TW_END: sim_trace_end(f); break;
        case TW_STR: {
            size_t len = (size_t)get_u64(&p);
            sim_trace_str_k(f, key, key_len, p);
            p += len + 1;
            break;
        }
        case TW_STR_HEAP: {
            char *copy = (char *)get_ptr(&p);
            sim_trace_str_k(f, key, key_len, copy);
            free(copy);
            break;
        }
        case TW_STR_NULL: sim_trace_str_k(f, key, key_len, NULL); break;
        case TW_INT: sim_trace_int_k(f, key, key_len, (int64_t)get_u64(&p)); break;
        case TW_UINT: sim_trace_uint_k(f, key, key_len, get_u64(&p)); break;
        case TW_BOOL: sim_trace_bool_k(f, key, key_len, *p++ != 0); break;
        case TW_NULL: sim_trace_null_k(f, key, key_len); break;
        case TW_MS: sim_trace_ms_k(f, key, key_len, (int64_t)get_u64(&p)); break;
        case TW_NUM: {
            uint64_t bits = get_u64(&p);
            double v;
            memcpy(&v, &bits, sizeof v);
            sim_trace_num_k(f, key, key_len, v);
            break;
        }
        case TW_OPEN_ARRAY: sim_trace_array_begin_k(f, key, key_len); break;
        case TW_OPEN_OBJECT: sim_trace_object_begin_k(f, key, key_len); break;
        case TW_CLOSE_ARRAY: sim_trace_array_end(f); break;
        case TW_CLOSE_OBJECT: sim_trace_object_end(f); break;
        default: return;   /* cannot happen: only this file encodes */
        }
    }
}

static void *writer_main(void *arg)
{
    sim_trace_writer_t *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        if (w->count > 0) {
            uint32_t i = w->head;
            pthread_mutex_unlock(&w->mu);
            format_chunk(&w->fmt, w->bufs[i], w->lens[i]);
            pthread_mutex_lock(&w->mu);
            if (w->fmt.error && !w->error)
                w->error = w->fmt.error;
            w->head = (w->head + 1) % TW_CHUNKS;
            w->count--;
            pthread_cond_broadcast(&w->cv);
        } else if (w->flush_req) {
            pthread_mutex_unlock(&w->mu);
            int err = sim_trace_flush(&w->fmt);
            pthread_mutex_lock(&w->mu);
            if (err && !w->error)
                w->error = err;
            w->flush_req = false;
            pthread_cond_broadcast(&w->cv);
        } else if (w->stop) {
            break;
        } else {
            pthread_cond_wait(&w->cv, &w->mu);
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* ---- start, flush, stop ---- */

static void writer_free(sim_trace_writer_t *w)
{
    for (uint32_t i = 0; i < TW_CHUNKS; i++)
        free(w->bufs[i]);
    free(w);
}

sim_trace_writer_t *sim_tw_start(FILE *out)
{
    sim_trace_writer_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    for (uint32_t i = 0; i < TW_CHUNKS; i++)
        if (!(w->bufs[i] = malloc(TW_CHUNK))) {
            writer_free(w);
            return NULL;
        }
    if (sim_trace_open_file(&w->fmt, out) != 0) {
        writer_free(w);
        return NULL;
    }
    if (pthread_mutex_init(&w->mu, NULL) != 0)
        goto no_mutex;
    if (pthread_cond_init(&w->cv, NULL) != 0)
        goto no_cond;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);   /* the new thread inherits the full mask */
    int rc = pthread_create(&w->thread, NULL, writer_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0)
        return w;
    pthread_cond_destroy(&w->cv);
no_cond:
    pthread_mutex_destroy(&w->mu);
no_mutex:
    sim_trace_close(&w->fmt);
    writer_free(w);
    return NULL;
}

/* Hand the chunk being filled to the thread (when it holds anything) and take the next one,
 * waiting while all are in flight. */
static void hand_over(sim_trace_writer_t *w)
{
    if (w->len == 0)
        return;
    pthread_mutex_lock(&w->mu);
    w->lens[w->filling] = w->len;
    w->count++;
    pthread_cond_broadcast(&w->cv);
    while (w->count == TW_CHUNKS)
        pthread_cond_wait(&w->cv, &w->mu);
    w->filling = (w->head + w->count) % TW_CHUNKS;
    pthread_mutex_unlock(&w->mu);
    w->len = 0;
}

int sim_tw_flush(sim_trace_writer_t *w)
{
    hand_over(w);
    pthread_mutex_lock(&w->mu);
    w->flush_req = true;
    pthread_cond_broadcast(&w->cv);
    while (w->flush_req || w->count > 0)
        pthread_cond_wait(&w->cv, &w->mu);
    int err = w->error;
    pthread_mutex_unlock(&w->mu);
    return err;
}

int sim_tw_stop(sim_trace_writer_t *w)
{
    int err = sim_tw_flush(w);
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    int fmt_err = sim_trace_close(&w->fmt);   /* the FILE stays open: sim/trace owns it */
    if (!err)
        err = fmt_err;
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    writer_free(w);
    return err;
}

/* ---- encoding (the simulation's thread) ---- */

/* Room for n bytes in the chunk being filled. */
static char *room(sim_trace_writer_t *w, size_t n)
{
    if (TW_CHUNK - w->len < n)
        hand_over(w);
    return w->bufs[w->filling] + w->len;
}

static char *put_ptr(char *p, const void *v)
{
    memcpy(p, &v, sizeof v);
    return p + sizeof v;
}

static char *put_u64(char *p, uint64_t v)
{
    memcpy(p, &v, sizeof v);
    return p + sizeof v;
}

#define TW_KEYED (1u + sizeof(void *) + sizeof(uint64_t))   /* op, key, key length */

static char *put_keyed(sim_trace_writer_t *w, int op, const char *key, size_t key_len,
                       size_t extra)
{
    char *p = room(w, TW_KEYED + extra);
    *p++ = (char)op;
    p = put_ptr(p, key);
    return put_u64(p, (uint64_t)key_len);
}

static void done(sim_trace_writer_t *w, const char *end)
{
    w->len = (size_t)(end - w->bufs[w->filling]);
}

void sim_tw_begin(sim_trace_writer_t *w, int64_t t_ns, const char *type)
{
    char *p = room(w, 1 + sizeof(uint64_t) + sizeof(void *));
    *p++ = TW_BEGIN;
    p = put_u64(p, (uint64_t)t_ns);
    done(w, put_ptr(p, type));
}

void sim_tw_end(sim_trace_writer_t *w)
{
    char *p = room(w, 1);
    *p++ = TW_END;
    done(w, p);
}

void sim_tw_str(sim_trace_writer_t *w, const char *key, size_t key_len, const char *val)
{
    if (!val) {
        done(w, put_keyed(w, TW_STR_NULL, key, key_len, 0));
        return;
    }
    size_t n = strlen(val);
    if (n <= TW_INLINE_MAX) {
        char *p = put_keyed(w, TW_STR, key, key_len, sizeof(uint64_t) + n + 1);
        p = put_u64(p, (uint64_t)n);
        memcpy(p, val, n + 1);
        done(w, p + n + 1);
        return;
    }
    char *copy = malloc(n + 1);
    if (!copy) {   /* the trace cannot be complete: say so at flush and close */
        pthread_mutex_lock(&w->mu);
        if (!w->error)
            w->error = ENOMEM;
        pthread_mutex_unlock(&w->mu);
        return;
    }
    memcpy(copy, val, n + 1);
    done(w, put_ptr(put_keyed(w, TW_STR_HEAP, key, key_len, sizeof(void *)), copy));
}

void sim_tw_int(sim_trace_writer_t *w, const char *key, size_t key_len, int64_t val)
{
    done(w, put_u64(put_keyed(w, TW_INT, key, key_len, sizeof(uint64_t)), (uint64_t)val));
}

void sim_tw_uint(sim_trace_writer_t *w, const char *key, size_t key_len, uint64_t val)
{
    done(w, put_u64(put_keyed(w, TW_UINT, key, key_len, sizeof(uint64_t)), val));
}

void sim_tw_bool(sim_trace_writer_t *w, const char *key, size_t key_len, bool val)
{
    char *p = put_keyed(w, TW_BOOL, key, key_len, 1);
    *p++ = val ? 1 : 0;
    done(w, p);
}

void sim_tw_null(sim_trace_writer_t *w, const char *key, size_t key_len)
{
    done(w, put_keyed(w, TW_NULL, key, key_len, 0));
}

void sim_tw_ms(sim_trace_writer_t *w, const char *key, size_t key_len, int64_t ns)
{
    done(w, put_u64(put_keyed(w, TW_MS, key, key_len, sizeof(uint64_t)), (uint64_t)ns));
}

void sim_tw_num(sim_trace_writer_t *w, const char *key, size_t key_len, double val)
{
    uint64_t bits;
    memcpy(&bits, &val, sizeof bits);
    done(w, put_u64(put_keyed(w, TW_NUM, key, key_len, sizeof(uint64_t)), bits));
}

void sim_tw_open(sim_trace_writer_t *w, const char *key, size_t key_len, bool object)
{
    done(w, put_keyed(w, object ? TW_OPEN_OBJECT : TW_OPEN_ARRAY, key, key_len, 0));
}

void sim_tw_close(sim_trace_writer_t *w, bool object)
{
    char *p = room(w, 1);
    *p++ = (char)(object ? TW_CLOSE_OBJECT : TW_CLOSE_ARRAY);
    done(w, p);
}

void sim_tw_record(sim_trace_writer_t *w, sim_trace_record_fn fn, const void *payload,
                   size_t size)
{
    char *p = room(w, 1 + sizeof fn + sizeof(uint64_t) + size);
    *p++ = TW_RECORD;
    memcpy(p, &fn, sizeof fn);
    p = put_u64(p + sizeof fn, (uint64_t)size);
    memcpy(p, payload, size);
    done(w, p + size);
}
