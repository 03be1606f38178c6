/* sim/trace: a hand-written JSON-lines writer for the trace, the hottest output path.
 *
 * Bytes go to a SIM_TRACE_BUF_BYTES buffer that is handed to fwrite() when the next piece would
 * not fit; a piece larger than the buffer is written directly. A record is
 *   {"t":<ms>,"type":"<type>"[,"<key>":<value>]...}\n
 * with fields in call order. One `need_comma` flag is enough for nesting: opening an array or
 * object clears it, closing one sets it (the container is itself a value of its parent).
 *
 * Strings follow RFC 8259: '"' and '\\' are escaped with a backslash, control bytes below 0x20 as
 * \u00XX, every other byte (UTF-8 included) passes through unchanged.
 *
 * Numbers never go through printf, so the bytes do not depend on the C library or the locale:
 *   - times: integer nanoseconds printed as milliseconds with integer arithmetic, up to 6 decimals,
 *     trailing zeros removed (1500000000 -> "1500", 1500250000 -> "1500.25", -1 -> "-0.000001");
 *   - doubles: |v| < 9.2e18 rounded to 6 decimals: integer part trunc(v), then
 *     llround((v - trunc(v)) * 1e6) millionths (halves away from zero), printed like times, so
 *     0.1 -> "0.1", 1/3 -> "0.333333", 8999999999999.5 -> "8999999999999.5"; larger magnitudes are
 *     expanded exactly in decimal, rounded half-even to 17 significant digits and written as
 *     d[.ddd]e<exp> ("1e20"); NaN and infinities are written as null; -0 and values that round
 *     to 0 are written as "0".
 *
 * A NULL path discards every byte but still counts records. The first I/O error is kept in
 * `error` (an errno value); later output is dropped and sim_trace_close() returns the error.
 *
 * A file opened by path is formatted and written by a background thread (sim/trace_writer): the
 * calls below only encode themselves there, and the thread makes them again on a trace written
 * in place, so the bytes are the same. */
#include "sim/trace.h"
#include "sim/trace_writer.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIM_TRACE_BUF_BYTES (64u * 1024u)   /* output buffer */
#define SIM_TRACE_SHORT_MAX 32              /* strings copied while checked (tr_put_short) */
#define SIM_TRACE_NUM_INT_MAX 9.2e18        /* below: int64 integer part + 6 decimals */
#define SIM_TRACE_SIG_DIGITS 17             /* significant digits of huge magnitudes */
#define SIM_TRACE_BIG_LIMBS 40              /* base-1e9 limbs: 2^1024 < 1e309 < 1e9^35 */
#define SIM_TRACE_LIMB 1000000000u

/* ---- buffering ---- */

static void tr_drain(sim_trace_t *tr)
{
    errno = 0;   /* fwrite need not set errno; EIO stands in then */
    if (tr->len && !tr->error && fwrite(tr->buf, 1, tr->len, tr->out) != tr->len)
        tr->error = errno ? errno : EIO;
    tr->len = 0;
}

static void tr_put(sim_trace_t *tr, const char *s, size_t n)
{
    if (tr->cap - tr->len < n) {
        tr_drain(tr);
        if (n > tr->cap) {
            errno = 0;
            if (!tr->error && fwrite(s, 1, n, tr->out) != n)
                tr->error = errno ? errno : EIO;
            return;
        }
    }
    memcpy(tr->buf + tr->len, s, n);
    tr->len += n;
}

static inline void tr_putc(sim_trace_t *tr, char c)
{
    if (tr->len == tr->cap)
        tr_drain(tr);
    tr->buf[tr->len++] = c;
}

/* Room for n more bytes at buf + len, draining first if needed; NULL when n exceeds the buffer
 * (the caller then takes its byte-by-byte path). */
static inline char *tr_reserve(sim_trace_t *tr, size_t n)
{
    if (tr->cap - tr->len < n) {
        if (n > tr->cap)
            return NULL;
        tr_drain(tr);
    }
    return tr->buf + tr->len;
}

/* Length of s when no byte of it needs escaping, else SIZE_MAX. Keys and most values (names,
 * ids) are plain, so this one pass decides the fast path. */
static inline size_t tr_plain_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p >= 0x20 && *p != '"' && *p != '\\')
        p++;
    return *p ? SIZE_MAX : (size_t)(p - (const unsigned char *)s);
}

/* "s", s plain and of length n; false when the buffer cannot take it in one piece. */
static inline bool tr_put_plain(sim_trace_t *tr, const char *s, size_t n)
{
    char *o = tr_reserve(tr, n + 2);
    if (!o)
        return false;
    *o++ = '"';
    memcpy(o, s, n);
    o[n] = '"';
    tr->len += n + 2;
    return true;
}

/* "s" copied in the same pass that checks s is plain, when s is plain and shorter than
 * SIM_TRACE_SHORT_MAX (names, ids); false (nothing written) otherwise, and the caller takes the
 * general path. Saves the separate length scan and memcpy. */
static inline bool tr_put_short(sim_trace_t *tr, const char *s)
{
    char *o = tr_reserve(tr, SIM_TRACE_SHORT_MAX + 2);
    if (!o)
        return false;
    char *start = o;
    *o++ = '"';
    const unsigned char *p = (const unsigned char *)s;
    for (int i = 0; i < SIM_TRACE_SHORT_MAX; i++, p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\') {
            *o++ = (char)*p;
            continue;
        }
        if (*p)
            return false;
        *o++ = '"';
        tr->len += (size_t)(o - start);
        return true;
    }
    return false;
}

static void tr_put_escaped_slow(sim_trace_t *tr, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    tr_putc(tr, '"');
    for (;;) {
        const unsigned char *run = p;
        while (*p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        if (p > run)
            tr_put(tr, (const char *)run, (size_t)(p - run));
        if (*p == '\0')
            break;
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            tr_put(tr, esc, 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            tr_put(tr, esc, 6);
        }
        p++;
    }
    tr_putc(tr, '"');
}

static void tr_put_escaped(sim_trace_t *tr, const char *s)
{
    if (tr_put_short(tr, s))
        return;
    size_t n = tr_plain_len(s);
    if (n == SIZE_MAX || !tr_put_plain(tr, s, n))
        tr_put_escaped_slow(tr, s);
}

/* Separator and key before a value; key NULL inside arrays; n its length, SIZE_MAX when it
 * needs escaping (sim_trace_key_len). */
static void tr_key(sim_trace_t *tr, const char *key, size_t n)
{
    bool comma = tr->need_comma;
    tr->need_comma = true;
    char *o = n != SIZE_MAX ? tr_reserve(tr, n + 4) : NULL;
    if (!o) {   /* to escape, or longer than the buffer */
        if (comma)
            tr_putc(tr, ',');
        tr_put_escaped_slow(tr, key);
        tr_putc(tr, ':');
        return;
    }
    char *start = o;
    if (comma)
        *o++ = ',';
    if (key) {
        *o++ = '"';
        memcpy(o, key, n);
        o += n;
        *o++ = '"';
        *o++ = ':';
    }
    tr->len += (size_t)(o - start);
}

/* Decimal digits of u into p (no NUL); returns the count. Two digits per division, written
 * from the end of a scratch buffer, then copied once. */
static int fmt_u64(char *p, uint64_t u)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                "31323334353637383940414243444546474849505152535455565758596061"
                                "6263646566676869707172737475767778798081828384858687888990919293"
                                "949596979899";
    char tmp[20];
    char *e = tmp + sizeof tmp, *q = e;
    while (u >= 100) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        *--q = pairs[2 * r + 1];
        *--q = pairs[2 * r];
    }
    if (u >= 10) {
        *--q = pairs[2 * u + 1];
        *--q = pairs[2 * u];
    } else {
        *--q = (char)('0' + u);
    }
    memcpy(p, q, (size_t)(e - q));
    return (int)(e - q);
}

/* ".dddddd" of frac (< 10^6) millionths, trailing zeros removed, nothing when 0; returns length. */
static int fmt_frac6(char *p, uint32_t frac)
{
    if (!frac)
        return 0;
    int digits = 6;
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    p[0] = '.';
    for (int i = digits; i >= 1; i--, frac /= 10)
        p[i] = (char)('0' + frac % 10);
    return digits + 1;
}

/* x / 10^6 with up to 6 decimals, trailing zeros removed; the shared core of ms and numbers. */
static int fmt_micro(char *buf, int64_t x)
{
    char *p = buf;
    uint64_t u = (uint64_t)x;
    if (x < 0) {
        *p++ = '-';
        u = UINT64_C(0) - u;   /* magnitude, also for INT64_MIN */
    }
    p += fmt_u64(p, u / 1000000u);
    p += fmt_frac6(p, (uint32_t)(u % 1000000u));
    *p = '\0';
    return (int)(p - buf);
}

int sim_fmt_ms(char *buf, int64_t ns)
{
    return fmt_micro(buf, ns);
}

/* Exact decimal digits of the integer-valued |v| >= 2^53 into digits (most significant first). */
static int big_digits(char *digits, double v)
{
    int e2;
    double m = frexp(v, &e2);                        /* v = m * 2^e2, 0.5 <= m < 1 */
    uint64_t mant = (uint64_t)ldexp(m, 53);
    int shift = e2 - 53;                             /* >= 0 since v >= 2^53 */
    uint32_t limb[SIM_TRACE_BIG_LIMBS];
    int n = 0;
    for (; mant; mant /= SIM_TRACE_LIMB)
        limb[n++] = (uint32_t)(mant % SIM_TRACE_LIMB);
    while (shift > 0) {
        int k = shift < 29 ? shift : 29;             /* limb * 2^29 + carry fits in 64 bits */
        uint64_t carry = 0;
        for (int i = 0; i < n; i++) {
            uint64_t t = ((uint64_t)limb[i] << k) + carry;
            limb[i] = (uint32_t)(t % SIM_TRACE_LIMB);
            carry = t / SIM_TRACE_LIMB;
        }
        for (; carry; carry /= SIM_TRACE_LIMB)
            limb[n++] = (uint32_t)(carry % SIM_TRACE_LIMB);
        shift -= k;
    }
    int len = fmt_u64(digits, limb[n - 1]);
    for (int i = n - 2; i >= 0; i--) {
        for (int j = 8; j >= 0; j--, limb[i] /= 10)
            digits[len + j] = (char)('0' + limb[i] % 10);
        len += 9;
    }
    return len;
}

/* |v| >= SIM_TRACE_NUM_INT_MAX: 17 significant digits, half-even, as d[.ddd]e<exp>. (An exact
 * tie needs v = 2 * an odd multiple of 5^k, which no double this large is: half-even is moot.) */
static int fmt_big(char *buf, double v)
{
    char d[SIM_TRACE_BIG_LIMBS * 9 + 1];
    char *p = buf;
    if (v < 0)
        *p++ = '-';
    int len = big_digits(d, fabs(v)), exp10 = len - 1, sig = SIM_TRACE_SIG_DIGITS;
    if (len > sig) {
        bool rest = false;
        for (int i = sig + 1; i < len; i++)
            rest = rest || d[i] != '0';
        bool up = d[sig] > '5' || (d[sig] == '5' && (rest || (d[sig - 1] - '0') % 2 == 1));
        for (int i = sig - 1; up && i >= 0; i--) {
            up = d[i] == '9';
            d[i] = up ? '0' : (char)(d[i] + 1);
        }
        if (up) {                                    /* 99..9 rounded to 100..0 */
            d[0] = '1';
            exp10++;
        }
        len = sig;
    }
    while (len > 1 && d[len - 1] == '0')
        len--;
    *p++ = d[0];
    if (len > 1) {
        *p++ = '.';
        memcpy(p, d + 1, (size_t)len - 1);
        p += len - 1;
    }
    *p++ = 'e';
    p += fmt_u64(p, (uint64_t)exp10);
    *p = '\0';
    return (int)(p - buf);
}

int sim_fmt_num(char *buf, double v)
{
    if (!isfinite(v)) {
        memcpy(buf, "null", 5);
        return 4;
    }
    if (fabs(v) >= SIM_TRACE_NUM_INT_MAX)
        return fmt_big(buf, v);
    /* v - trunc(v) is exact, so only the fraction is scaled: llround(v * 1e6) would round the
     * product itself once v * 1e6 passes 2^53 and print noise digits. */
    double ip = trunc(v);
    int64_t whole = (int64_t)ip, micro = (int64_t)llround((v - ip) * 1e6);
    if (micro == 1000000 || micro == -1000000) {
        whole += micro / 1000000;
        micro = 0;
    }
    uint64_t mag_whole = whole < 0 ? UINT64_C(0) - (uint64_t)whole : (uint64_t)whole;
    uint32_t mag_micro = (uint32_t)(micro < 0 ? -micro : micro);
    char *p = buf;
    if (v < 0 && (mag_whole || mag_micro))
        *p++ = '-';
    p += fmt_u64(p, mag_whole);
    p += fmt_frac6(p, mag_micro);
    *p = '\0';
    return (int)(p - buf);
}

static int trace_init(sim_trace_t *tr, FILE *out, bool owns)
{
    memset(tr, 0, sizeof *tr);
    tr->out = out;
    tr->owns_out = owns;
    if (!out)
        return 0;
    if (owns && (tr->writer = sim_tw_start(out)) != NULL)
        return 0;
    tr->buf = malloc(SIM_TRACE_BUF_BYTES);
    if (!tr->buf) {
        if (owns)
            fclose(out);
        memset(tr, 0, sizeof *tr);
        errno = ENOMEM;
        return -1;
    }
    tr->cap = SIM_TRACE_BUF_BYTES;
    return 0;
}

int sim_trace_open(sim_trace_t *tr, const char *path)
{
    if (!path)
        return trace_init(tr, NULL, false);
    if (strcmp(path, "-") == 0)
        return trace_init(tr, stdout, false);
    FILE *f = fopen(path, "wb");
    if (!f) {
        memset(tr, 0, sizeof *tr);
        return -1;
    }
    return trace_init(tr, f, true);
}

int sim_trace_open_file(sim_trace_t *tr, FILE *f)
{
    return trace_init(tr, f, false);
}

int sim_trace_flush(sim_trace_t *tr)
{
    if (!tr->out)
        return 0;
    if (tr->writer) {
        int err = sim_tw_flush(tr->writer);
        if (err && !tr->error)
            tr->error = err;
        return tr->error;
    }
    tr_drain(tr);
    errno = 0;
    if (fflush(tr->out) != 0 && !tr->error)
        tr->error = errno ? errno : EIO;
    return tr->error;
}

int sim_trace_close(sim_trace_t *tr)
{
    int err = sim_trace_flush(tr);
    if (tr->writer) {
        int stop_err = sim_tw_stop(tr->writer);
        tr->writer = NULL;
        if (!err)
            err = stop_err;
    }
    errno = 0;
    if (tr->out && tr->owns_out && fclose(tr->out) != 0 && !err)
        err = errno ? errno : EIO;
    free(tr->buf);
    tr->buf = NULL;
    tr->out = NULL;
    tr->len = tr->cap = 0;
    tr->error = err;
    return err;
}

void sim_trace_begin(sim_trace_t *tr, int64_t t_ns, const char *type)
{
    assert(tr->depth == 0);
    if (!tr->out)
        return;
    if (tr->writer) {
        sim_tw_begin(tr->writer, t_ns, type);
        return;
    }
    char num[32];
    tr_put(tr, "{\"t\":", 5);
    tr_put(tr, num, (size_t)sim_fmt_ms(num, t_ns));
    tr_put(tr, ",\"type\":", 8);
    tr_put_escaped(tr, type);
    tr->need_comma = true;
}

void sim_trace_end(sim_trace_t *tr)
{
    assert(tr->depth == 0);
    tr->records++;
    if (!tr->out)
        return;
    if (tr->writer) {
        sim_tw_end(tr->writer);
        return;
    }
    tr_put(tr, "}\n", 2);
    tr->need_comma = false;
}

void sim_trace_record(sim_trace_t *tr, sim_trace_record_fn fn, const void *payload, size_t size)
{
    assert(tr->depth == 0 && size <= SIM_TRACE_RECORD_MAX);
    if (!tr->out) {
        tr->records++;   /* as fn's sim_trace_end would count it */
        return;
    }
    if (tr->writer) {
        sim_tw_record(tr->writer, fn, payload, size);
        tr->records++;
        return;
    }
    fn(tr, payload);
}

void sim_trace_str_k(sim_trace_t *tr, const char *key, size_t key_len, const char *val)
{
    if (!tr->out)
        return;
    if (tr->writer) {
        sim_tw_str(tr->writer, key, key_len, val);
        return;
    }
    tr_key(tr, key, key_len);
    if (val)
        tr_put_escaped(tr, val);
    else
        tr_put(tr, "null", 4);
}

void sim_trace_int_k(sim_trace_t *tr, const char *key, size_t key_len, int64_t val)
{
    if (!tr->out)
        return;
    if (tr->writer) {
        sim_tw_int(tr->writer, key, key_len, val);
        return;
    }
    char num[24];
    tr_key(tr, key, key_len);
    char *p = tr_reserve(tr, sizeof num);   /* digits straight into the buffer */
    bool direct = p != NULL;
    if (!direct)
        p = num;
    char *start = p;
    if (val < 0)
        *p++ = '-';
    p += fmt_u64(p, val < 0 ? UINT64_C(0) - (uint64_t)val : (uint64_t)val);
    if (direct)
        tr->len += (size_t)(p - start);
    else
        tr_put(tr, num, (size_t)(p - num));
}

void sim_trace_uint_k(sim_trace_t *tr, const char *key, size_t key_len, uint64_t val)
{
    if (!tr->out)
        return;
    if (tr->writer) {
        sim_tw_uint(tr->writer, key, key_len, val);
        return;
    }
    char num[24];
    tr_key(tr, key, key_len);
    tr_put(tr, num, (size_t)fmt_u64(num, val));
}

void sim_trace_bool_k(sim_trace_t *tr, const char *key, size_t key_len, bool val)
{
    if (!tr->out)
        return;
    if (tr->writer) {
        sim_tw_bool(tr->writer, key, key_len, val);
        return;
    }
    tr_key(tr, key, key_len);
    if (val)
        tr_put(tr, "true", 4);
    else
        tr_put(tr, "false", 5);
}

void sim_trace_null_k(sim_trace_t *tr, const char *key, size_t key_len)
{
    if (!tr->out)
        return;
    if (tr->writer) {
        sim_tw_null(tr->writer, key, key_len);
        return;
    }
    tr_key(tr, key, key_len);
    tr_put(tr, "null", 4);
}

void sim_trace_ms_k(sim_trace_t *tr, const char *key, size_t key_len, int64_t ns)
{
    if (!tr->out)
        return;
    if (tr->writer) {
        sim_tw_ms(tr->writer, key, key_len, ns);
        return;
    }
    char num[32];
    tr_key(tr, key, key_len);
    tr_put(tr, num, (size_t)sim_fmt_ms(num, ns));
}

void sim_trace_num_k(sim_trace_t *tr, const char *key, size_t key_len, double val)
{
    if (!tr->out)
        return;
    if (tr->writer) {
        sim_tw_num(tr->writer, key, key_len, val);
        return;
    }
    char num[32];
    tr_key(tr, key, key_len);
    tr_put(tr, num, (size_t)sim_fmt_num(num, val));
}

static void tr_open(sim_trace_t *tr, const char *key, size_t key_len, char c)
{
    tr->depth++;
    if (!tr->out)
        return;
    if (tr->writer) {
        sim_tw_open(tr->writer, key, key_len, c == '{');
        return;
    }
    tr_key(tr, key, key_len);
    tr_putc(tr, c);
    tr->need_comma = false;
}

static void tr_close(sim_trace_t *tr, char c)
{
    assert(tr->depth > 0);
    tr->depth--;
    if (!tr->out)
        return;
    if (tr->writer) {
        sim_tw_close(tr->writer, c == '}');
        return;
    }
    tr_putc(tr, c);
    tr->need_comma = true;
}

void sim_trace_array_begin_k(sim_trace_t *tr, const char *key, size_t key_len)
{
    tr_open(tr, key, key_len, '[');
}

void sim_trace_array_end(sim_trace_t *tr)
{
    tr_close(tr, ']');
}

void sim_trace_object_begin_k(sim_trace_t *tr, const char *key, size_t key_len)
{
    tr_open(tr, key, key_len, '{');
}

void sim_trace_object_end(sim_trace_t *tr)
{
    tr_close(tr, '}');
}
