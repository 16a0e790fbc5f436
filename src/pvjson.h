/* pvjson.h: switches of pvjson.c's string writer (the writers themselves are in sessdec.h). */
#ifndef MEMCSESS_PVJSON_H
#define MEMCSESS_PVJSON_H

/* Turns the SIMD block loops of json_write_utf8 off (0), or on where the CPU has them (1, the
 * default), so tests can compare both. */
void json_use_simd(int on);

#endif
