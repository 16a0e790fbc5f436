/* igbinary_format.h: the type bytes of igbinary_serialize() output, for its two readers: the
 * tree decoder (igbinary.c) and the no-tree JSON writer (direct_igbinary.c). */
#ifndef MEMCSESS_PHP_IGBINARY_FORMAT_H
#define MEMCSESS_PHP_IGBINARY_FORMAT_H

#include <stdint.h>

enum igb_type {
	IGB_NULL = 0x00,
	IGB_REF8 = 0x01, IGB_REF16, IGB_REF32,
	IGB_FALSE = 0x04, IGB_TRUE,
	IGB_LONG8P = 0x06, IGB_LONG8N, IGB_LONG16P, IGB_LONG16N, IGB_LONG32P, IGB_LONG32N,
	IGB_DOUBLE = 0x0c,
	IGB_STRING_EMPTY = 0x0d,
	IGB_STRING_ID8 = 0x0e, IGB_STRING_ID16, IGB_STRING_ID32,
	IGB_STRING8 = 0x11, IGB_STRING16, IGB_STRING32,
	IGB_ARRAY8 = 0x14, IGB_ARRAY16, IGB_ARRAY32,
	IGB_OBJECT8 = 0x17, IGB_OBJECT16, IGB_OBJECT32,
	IGB_OBJECT_ID8 = 0x1a, IGB_OBJECT_ID16, IGB_OBJECT_ID32,
	IGB_OBJECT_SER8 = 0x1d, IGB_OBJECT_SER16, IGB_OBJECT_SER32,
	IGB_LONG64P = 0x20, IGB_LONG64N,
	IGB_OBJREF8 = 0x22, IGB_OBJREF16, IGB_OBJREF32,
	IGB_REF = 0x25,
	IGB_STRING64 = 0x26,
	IGB_ENUM_CASE = 0x27,
};

/* Width in bytes of the number after a type byte of an 8/16/32 family starting at base. */
static inline unsigned igb_width(unsigned t, unsigned base)
{
	return 1u << (t - base);
}

/* The big-endian unsigned number of width bytes at p. */
static inline uint64_t igb_uint(const unsigned char *p, unsigned width)
{
	uint64_t u = 0;
	for (unsigned i = 0; i < width; i++)
		u = u << 8 | p[i];
	return u;
}

static inline int igb_is_long(unsigned t)
{
	return (t >= IGB_LONG8P && t <= IGB_LONG32N) || t == IGB_LONG64P || t == IGB_LONG64N;
}

/* Width in bytes of the magnitude after long type byte t; *neg says its sign. */
static inline unsigned igb_long_width(unsigned t, int *neg)
{
	if (t == IGB_LONG64P || t == IGB_LONG64N) {
		*neg = t == IGB_LONG64N;
		return 8;
	}
	*neg = (t - IGB_LONG8P) & 1;
	return 1u << ((t - IGB_LONG8P) / 2);
}

#endif
