/* sim/utf8: UTF-8 validation shared by every reader of user text (scenario files, --set,
 * `assign` input), so that invalid bytes are refused at the edge and never reach a trace. */
#include "sim/utf8.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
size_t sim_utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char b = s[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        n = 2;
    else if (b >= 0xE0 && b <= 0xEF)
        n = 3;
    else if (b >= 0xF0 && b <= 0xF4)
        n = 4;
    else
        return 0;
    if (n > avail)
        return 0;
    /* The second byte's range excludes overlong forms, surrogates and code points > U+10FFFF. */
    if (b == 0xE0)
        lo = 0xA0;
    else if (b == 0xED)
        hi = 0x9F;
    else if (b == 0xF0)
        lo = 0x90;
    else if (b == 0xF4)
        hi = 0x8F;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

size_t sim_utf8_check(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t n = s[i] ? sim_utf8_seq_len(s + i, len - i) : 0;
        if (n == 0)
            return i;
        i += n;
    }
    return len;
}
