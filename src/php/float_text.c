/* float_text.c: PHP's float text, as unserialize() reads it: the token its grammar accepts, and
 * the double it makes of it (strtod in the C locale, with no call for the usual short ones). */
#include "php/float_text.h"
#include "util.h"

#include <float.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* isdigit without the locale table (the same ten bytes in every locale). */
static inline int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

size_t php_float_token(const char *b, size_t end, size_t pos)
{
	size_t i = pos, n_int = 0, n_frac = 0;
	if (i < end && (b[i] == '+' || b[i] == '-'))
		i++;
	while (i < end && is_digit(b[i]))
		i++, n_int++;
	if (i < end && b[i] == '.') {
		i++;
		while (i < end && is_digit(b[i]))
			i++, n_frac++;
	}
	if (n_int + n_frac == 0)
		return 0;
	if (i < end && (b[i] == 'e' || b[i] == 'E')) {
		size_t j = i + 1, n_exp = 0;
		if (j < end && (b[j] == '+' || b[j] == '-'))
			j++;
		while (j < end && is_digit(b[j]))
			j++, n_exp++;
		if (!n_exp)
			return 0;
		i = j;
	}
	return i - pos;
}

static locale_t c_locale;	/* made once: dump's server threads all read floats */
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

__extension__ typedef unsigned __int128 u128;

/* The double nearest m / 10^k (ties to even), for 1 <= m < 2^64 and k <= 21, as strtod rounds
 * it; 0 when m has too many bits for k = 0. A quotient of 55 or 56 bits is cut to 53, the
 * remainder deciding ties. */
static int nearest(uint64_t m, unsigned k, double *out)
{
	static const uint64_t p10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
	};
	u128 den = k < 20 ? p10[k] : (u128)p10[19] * p10[k - 19];
	int t = 128 - (den >> 64 ? __builtin_clzll((uint64_t)(den >> 64)) :
		       64 + __builtin_clzll((uint64_t)den));
	int b = 64 - __builtin_clzll(m);
	int e = 55 + t - b;	/* m << e over den lies in [2^54, 2^56) */
	if (e < 0)
		return 0;
	u128 num = (u128)m << e, q = num / den;
	int sticky = num - q * den != 0;
	int cut = q >> 55 ? 3 : 2;
	uint64_t low = (uint64_t)q & ((1u << cut) - 1), half = 1u << (cut - 1);
	uint64_t mant = (uint64_t)(q >> cut);
	if (low > half || (low == half && (sticky || (mant & 1))))
		mant++;
	if (mant >> 53) {
		mant >>= 1;
		cut++;
	}
	/* value = mant * 2^(cut - e), mant in [2^52, 2^53): a normal double */
	uint64_t bits = (uint64_t)(cut - e + 52 + 1023) << 52 | (mant & ((1ull << 52) - 1));
	memcpy(out, &bits, sizeof(*out));
	return 1;
}

/* m / 10^k in doubles rounds once, as strtod, where double arithmetic is done in doubles. */
#define EXACT_DOUBLES (FLT_EVAL_METHOD == 0)
/* The powers of ten a double holds exactly. */
static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* strtod of the n bytes of a php_float_token without an exponent, of at most 19 significant
 * digits and 21 after the point; 0 for any other token. */
static int strtod_short(const char *s, size_t n, double *out)
{
	size_t i = 0;
	int neg = 0, point = 0;
	unsigned digits = 0, k = 0;
	uint64_t m = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < n; i++) {
		if (s[i] == '.' && !point) {
			point = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return 0;	/* an exponent */
		k += point;
		if (m == 0 && s[i] == '0')
			continue;	/* a leading zero */
		if (++digits > 19)
			return 0;
		m = m * 10 + (uint64_t)(s[i] - '0');
	}
	if (k > 21)
		return 0;
	double d = 0;
	if (EXACT_DOUBLES && m < (1ull << 53) && k <= 22)	/* exact operands, one rounding */
		d = (double)m / pow10_exact[k];
	else if (!nearest(m, k, &d))
		return 0;
	*out = neg ? -d : d;
	return 1;
}

double php_strtod(const char *s, size_t n)
{
	double quick;
	if (strtod_short(s, n, &quick))
		return quick;
	char small[64];
	char *tmp = n < sizeof(small) ? small : xmalloc(n + 1);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	pthread_once(&c_locale_once, make_c_locale);
	double d = c_locale ? strtod_l(tmp, NULL, c_locale) : strtod(tmp, NULL);
	if (tmp != small)
		free(tmp);
	return d;
}
