/* sim/utf8: UTF-8 validation (RFC 3629: no overlong forms, surrogates or code points above
 * U+10FFFF).
 * Owns: nothing but the two checks. Does not own: messages (callers name the input).
 * Invariant: a text for which sim_utf8_check returns its length is valid UTF-8 without NULs. */
#ifndef SIM_UTF8_H
#define SIM_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1..4, `avail` bytes readable), or 0 when invalid. */
size_t sim_utf8_seq_len(const unsigned char *s, size_t avail);
/* Offset of the first NUL byte or invalid sequence in text[0..len), or len when there is none. */
size_t sim_utf8_check(const char *text, size_t len);

#endif
