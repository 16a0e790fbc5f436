/* util.c: shared helpers (see util.h). */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void (*util_fatal_hook)(void);

static void out_of_memory(size_t n)
{
	if (util_fatal_hook)
		util_fatal_hook();
	fprintf(stderr, "memcsess: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory(n * size);
	return p;
}

void *xcalloc_lines(size_t n, size_t size)
{
	n = n ? n : 1;
	size = size ? size : 1;
	if (n > SIZE_MAX / size - CACHE_LINE)
		out_of_memory(SIZE_MAX);
	size_t bytes = (n * size + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
	void *p = aligned_alloc(CACHE_LINE, bytes);
	if (!p)
		out_of_memory(bytes);
	return memset(p, 0, bytes);
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void buf_init(struct buf *b)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_release(struct buf *b)
{
	free(b->ptr);
	buf_init(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need < b->len)
		out_of_memory(SIZE_MAX);
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap * 2 > cap ? cap * 2 : need;
	b->ptr = xrealloc(b->ptr, cap);
	b->cap = cap;
}

void buf_add_slow(struct buf *b, const void *data, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	/* Most results fit the room at hand: formatted once; else once more with room made. */
	buf_grow(b, 255);
	size_t room = b->cap - b->len;
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(b->ptr + b->len, room, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->ptr[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *buf_detach(struct buf *b, size_t *len)
{
	if (!b->ptr)
		buf_grow(b, 0);
	char *p = b->ptr;
	if (len)
		*len = b->len;
	p[b->len] = '\0';
	buf_init(b);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b, NULL);
}

uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* The slot holding k, or the empty slot where it would go (cap is a power of two, never full). */
static size_t keyset_slot(const struct keyset *s, const char *k, size_t n)
{
	size_t i = hash_bytes(k, n) & (s->cap - 1);
	while (s->slots[i] && (strlen(s->slots[i]) != n || memcmp(s->slots[i], k, n) != 0))
		i = (i + 1) & (s->cap - 1);
	return i;
}

int keyset_add(struct keyset *s, const char *k, size_t n)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct keyset bigger = { xcalloc(cap, sizeof(char *)), cap, s->n };
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i])
				bigger.slots[keyset_slot(&bigger, s->slots[i],
							 strlen(s->slots[i]))] = s->slots[i];
		free(s->slots);
		*s = bigger;
	}
	size_t i = keyset_slot(s, k, n);
	if (s->slots[i])
		return 0;
	s->slots[i] = xstrndup(k, n);
	s->n++;
	return 1;
}

int keyset_has(const struct keyset *s, const char *k, size_t n)
{
	return s->cap && s->slots[keyset_slot(s, k, n)] != NULL;
}

void keyset_release(struct keyset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

size_t utf8_seq(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	unsigned cp = c & (0xff >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		uint64_t w;
		if (n - i >= 8 && (memcpy(&w, p + i, 8), (w & 0x8080808080808080ull) == 0)) {
			i += 8;	/* eight ASCII bytes */
			continue;
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = utf8_seq(s + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

void buf_add_escaped(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == '"')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
}

/* The decimal number of the n digits at s into *v; -1 on any other byte or past 2^64 - 1. */
static int read_digits(const char *s, size_t n, uint64_t *v)
{
	uint64_t u = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';
		if (d > 9 || __builtin_mul_overflow(u, 10, &u) || __builtin_add_overflow(u, d, &u))
			return -1;
	}
	*v = u;
	return 0;
}

int parse_i64(const char *s, size_t n, int64_t *out)
{
	int neg = n > 0 && s[0] == '-';
	uint64_t u;
	if (n - (size_t)neg == 0 || n >= 32 || read_digits(s + neg, n - (size_t)neg, &u) < 0 ||
	    u > (uint64_t)INT64_MAX + (uint64_t)neg)
		return -1;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;	/* 0 - 2^63 wraps to INT64_MIN */
	return 0;
}

int parse_u64(const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || n > 20)
		return -1;
	return read_digits(s, n, out);
}

int parse_duration(const char *s, double *seconds)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	double v = strtod(s, &end);
	if (end == s || v != v)
		return -1;
	double mult;
	if (*end == '\0' || strcmp(end, "s") == 0)
		mult = 1;
	else if (strcmp(end, "ms") == 0)
		mult = 0.001;
	else if (strcmp(end, "m") == 0)
		mult = 60;
	else if (strcmp(end, "h") == 0)
		mult = 3600;
	else if (strcmp(end, "d") == 0)
		mult = 86400;
	else
		return -1;
	v *= mult;
	if (v < 0 || v > 1e10)
		return -1;
	*seconds = v;
	return 0;
}

/* Writes v in decimal, at least min_digits of it, ending just before end; returns its start. */
static char *put_decimal(char *end, uint64_t v, int min_digits)
{
	int digits = 0;
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
		digits++;
	} while (v || digits < min_digits);
	return end;
}

/* Without printf: list writes two a row. */
void fmt_duration(int64_t s, char *out, size_t n)
{
	static const struct { int64_t below, big, small; char big_unit, small_unit; } form[] = {
		{ 3600, 60, 1, 'm', 's' }, { 86400, 3600, 60, 'h', 'm' },
		{ INT64_MAX, 86400, 3600, 'd', 'h' },
	};
	char tmp[40], *end = tmp + sizeof(tmp), *p = end;
	if (s == TTL_UNKNOWN) {
		p -= 7;
		memcpy(p, "unknown", 7);
	} else if (s < 0) {
		p -= 5;
		memcpy(p, "never", 5);
	} else if (s < 60) {
		*--p = 's';
		p = put_decimal(p, (uint64_t)s, 1);
	} else {
		size_t i = 0;
		while (s >= form[i].below && i + 1 < sizeof(form) / sizeof(form[0]))
			i++;
		*--p = form[i].small_unit;
		p = put_decimal(p, (uint64_t)(s % form[i].big / form[i].small), 2);
		*--p = form[i].big_unit;
		p = put_decimal(p, (uint64_t)(s / form[i].big), 1);
	}
	if (n == 0)
		return;
	size_t len = (size_t)(end - p) < n - 1 ? (size_t)(end - p) : n - 1;	/* as snprintf cuts */
	memcpy(out, p, len);
	out[len] = '\0';
}

void fmt_time(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (t < 0 || !gmtime_r(&tt, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, n, "-");
}

/* ---- %.17g without printf, for the doubles sessions mostly hold ---- */

__extension__ typedef unsigned __int128 u128;

/* 10^p for 0 <= p <= 22. */
static u128 pow10_u128(int p)
{
	static const uint64_t small[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
	};
	return p < 20 ? small[p] : (u128)small[19] * small[p - 19];
}

/* N = a * 10^(16 - x) rounded half to even, as 17 digits; adjusts x so that N has 17 digits.
 * a = m * 2^-s. Returns N, or 0 when x leaves the range this handles. */
static uint64_t digits17(uint64_t m, int s, int *x)
{
	const u128 lo = pow10_u128(16), hi = pow10_u128(17);
	for (int tries = 0; tries < 4; tries++) {
		int p = 16 - *x;
		if (p < 0 || p > 22)
			return 0;
		u128 num = (u128)m * pow10_u128(p);
		u128 q = num >> s, r = num - (q << s), half = (u128)1 << (s - 1);
		if (q < lo) {
			(*x)--;
			continue;
		}
		if (q >= hi) {
			(*x)++;
			continue;
		}
		if (r > half || (r == half && (q & 1)))
			q++;
		if (q == hi) {
			q = lo;
			(*x)++;
		}
		return (uint64_t)q;
	}
	return 0;
}

/* Writes digits (17 of them, in dig) in %g's fixed style for decimal exponent x; with point,
 * ".0" after digits that have no point. */
static size_t fixed_style(const char dig[17], int x, int neg, int point, char *out)
{
	size_t n = 0, last = 16;
	while (last > 0 && dig[last] == '0')
		last--;
	if (neg)
		out[n++] = '-';
	if (x >= 0) {
		memcpy(out + n, dig, (size_t)x + 1);
		n += (size_t)x + 1;
		if (last > (size_t)x) {
			out[n++] = '.';
			memcpy(out + n, dig + x + 1, last - (size_t)x);
			n += last - (size_t)x;
		} else if (point) {
			out[n++] = '.';
			out[n++] = '0';
		}
	} else {
		out[n++] = '0';
		out[n++] = '.';
		for (int i = -1; i > x; i--)
			out[n++] = '0';
		memcpy(out + n, dig, last + 1);
		n += last + 1;
	}
	out[n] = '\0';
	return n;
}

int simd_cpu_level(void)
{
#if defined(__x86_64__) || defined(__i386__)
	if (__builtin_cpu_supports("avx2"))
		return 2;
	return __builtin_cpu_supports("ssse3") ? 1 : 0;
#else
	return 0;
#endif
}

const char decimal_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* floor(e * log10(2)) for |e| < 1000, without libm (78913 / 2^18 is log10(2) to 6 digits). */
static int floor_log10_pow2(int e)
{
	return e >= 0 ? (e * 78913) >> 18 : -((-e * 78913 + (1 << 18) - 1) >> 18);
}

/* The eight decimal digits of v < 10^8, in 32-bit steps that do not wait on each other. */
static void put_eight(char *o, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;
	memcpy(o, decimal_pairs + 2 * (hi / 100), 2);
	memcpy(o + 2, decimal_pairs + 2 * (hi % 100), 2);
	memcpy(o + 4, decimal_pairs + 2 * (lo / 100), 2);
	memcpy(o + 6, decimal_pairs + 2 * (lo % 100), 2);
}

size_t fmt_g17(double d, char out[32], int point)
{
	double a = d < 0 ? -d : d;
	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	uint64_t bits;
	memcpy(&bits, &d, sizeof(bits));
	uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
	int s = 1075 - (int)((bits >> 52) & 0x7ff);	/* a = m * 2^-s; 1 <= s <= 67 here */
	int x = floor_log10_pow2(52 - s);	/* floor(log10(a)), or one less: digits17 moves it */
	uint64_t q = digits17(m, s, &x);
	if (!q || x < -4 || x > 16)
		return 0;
	char dig[17];
	put_eight(dig + 1, (uint32_t)(q / 100000000 % 100000000));
	put_eight(dig + 9, (uint32_t)(q % 100000000));
	dig[0] = (char)('0' + q / 10000000000000000ull);	/* q < 10^17: one digit left */
	return fixed_style(dig, x, d < 0, point, out);
}
