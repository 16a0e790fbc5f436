/* pvjson.h: switches of pvjson.c's string writer (the writers themselves are in sessdec.h). */
#ifndef MEMCSESS_PVJSON_H
#define MEMCSESS_PVJSON_H

/* Limits the SIMD block loops of json_write_utf8 to level, as far as the CPU has it: 0 SSE2
 * (or none), 1 SSSE3, 2 AVX2 (the default), so tests can compare them all. */
void json_use_simd(int level);

#endif
