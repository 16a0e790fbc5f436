/* test_igbinary.c: igbinary_decode() against bytes written by real PHP 8.2 + php-igbinary 3.2.13,
 * and against hostile input. The classes used by the PHP expressions are:
 *
 *   class User { public $name; protected $role = 'admin'; private $pw = 'x'; }
 *   class Admin extends User { private $pw = 'y'; public $level = 3; }
 *   class Point { public $x = 1; public $y = 2; }
 *   class Ser implements Serializable { public $v = 'abc';
 *       function serialize() { return 'payload:' . $this->v; } ... }
 *   class Magic { public $a = 1;
 *       function __serialize(): array { return ['k' => 'v', 0 => 7]; } ... }
 *   class Sleepy { public $keep = 1; public $drop = 2; function __sleep() { return ['keep']; } }
 *   enum Suit { case Hearts; case Spades; }
 *   enum Level: int { case Low = 1; case High = 9; }
 *
 * Each hex string is bin2hex(igbinary_serialize(<php>)) unless the row says it was made by hand.
 */
#include "unit.h"
#include "php/igbinary.h"
#include "php/value.h"
#include "php/value_json.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Appends a compact canonical form of v: N b1 i5 d1.5 s"x" a{k:v,..} O<Class>{"pub":v,#"prot":v,
 * -Decl"priv":v} C<Class>"payload" E<Class>"Case" R$2 (hard reference to slot 2) r$2 (soft).
 * A value that references point to is prefixed $slot*shared=; with all_slots, every value with
 * a slot is prefixed $slot= (or $slot*shared=). */
static void dump(struct buf *out, const struct pv *v, int all_slots);

static void dump_float(struct buf *out, double d)
{
	char tmp[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d || isnan(d))
			break;
	}
	buf_printf(out, "d%s", tmp);
}

static void dump_str(struct buf *out, const char *s, size_t n)
{
	buf_addc(out, '"');
	buf_add_escaped(out, s, n);
	buf_addc(out, '"');
}

static void dump_key(struct buf *out, const struct pv_entry *e, int in_object)
{
	if (e->key->type == PV_INT) {
		buf_printf(out, "i%" PRId64, e->key->u.i);
		return;
	}
	if (!in_object)
		buf_addc(out, 's');
	else if (e->vis == PV_PROTECTED)
		buf_addc(out, '#');
	else if (e->vis == PV_PRIVATE)
		buf_printf(out, "-%s", e->decl_class);
	dump_str(out, e->key->u.str.ptr, e->key->u.str.len);
}

static void dump_items(struct buf *out, const struct pv *v, int all_slots)
{
	buf_addc(out, '{');
	for (size_t i = 0; i < v->n_items; i++) {
		if (i)
			buf_addc(out, ',');
		dump_key(out, &v->items[i], v->type == PV_OBJECT);
		buf_addc(out, ':');
		dump(out, v->items[i].value, all_slots);
	}
	buf_addc(out, '}');
}

static void dump(struct buf *out, const struct pv *v, int all_slots)
{
	if (v->shared || (all_slots && v->slot)) {
		buf_printf(out, "$%u", v->slot);
		if (v->shared)
			buf_printf(out, "*%u", v->shared);
		buf_addc(out, '=');
	}
	switch (v->type) {
	case PV_NULL: buf_addc(out, 'N'); break;
	case PV_BOOL: buf_printf(out, "b%d", v->u.b); break;
	case PV_INT: buf_printf(out, "i%" PRId64, v->u.i); break;
	case PV_FLOAT: dump_float(out, v->u.d); break;
	case PV_STRING:
		buf_addc(out, 's');
		dump_str(out, v->u.str.ptr, v->u.str.len);
		break;
	case PV_ARRAY:
		buf_addc(out, 'a');
		dump_items(out, v, all_slots);
		break;
	case PV_OBJECT:
		buf_printf(out, "O<%s>", v->class_name);
		dump_items(out, v, all_slots);
		break;
	case PV_CUSTOM:
	case PV_ENUM:
		buf_printf(out, "%c<%s>", v->type == PV_CUSTOM ? 'C' : 'E', v->class_name);
		dump_str(out, v->u.str.ptr, v->u.str.len);
		break;
	case PV_REF:
		buf_printf(out, "%c$%u", v->hard ? 'R' : 'r', v->target->slot);
		break;
	}
}

/* Returns the bytes of a hex string (spaces allowed) in a buffer of exactly that size. */
static char *unhex(const char *hex, size_t *len)
{
	char *out = xmalloc(strlen(hex) / 2 + 1);
	size_t n = 0;
	for (const char *p = hex; *p; p++) {
		if (*p == ' ')
			continue;
		unsigned byte;
		sscanf(p, "%2x", &byte);
		out[n++] = (char)byte;
		p++;
	}
	*len = n;
	return xrealloc(out, n);
}

struct good {
	const char *php;	/* the expression given to igbinary_serialize() */
	const char *hex;
	int all_slots;
	const char *expect;	/* dump() of the result */
};

static const struct good goods[] = {
	/* Scalars. */
	{ "null", "0000000200", 0, "N" },
	{ "true", "0000000205", 0, "b1" },
	{ "false", "0000000204", 0, "b0" },
	{ "0", "000000020600", 0, "i0" },
	{ "255", "0000000206ff", 0, "i255" },
	{ "256", "00000002080100", 0, "i256" },
	{ "65535", "0000000208ffff", 0, "i65535" },
	{ "65536", "000000020a00010000", 0, "i65536" },
	{ "-1", "000000020701", 0, "i-1" },
	{ "-255", "0000000207ff", 0, "i-255" },
	{ "-256", "00000002090100", 0, "i-256" },
	{ "-65535", "0000000209ffff", 0, "i-65535" },
	{ "-65536", "000000020b00010000", 0, "i-65536" },
	{ "4294967295", "000000020affffffff", 0, "i4294967295" },
	{ "4294967296", "00000002200000000100000000", 0, "i4294967296" },
	{ "-4294967296", "00000002210000000100000000", 0, "i-4294967296" },
	{ "PHP_INT_MAX", "00000002207fffffffffffffff", 0, "i9223372036854775807" },
	{ "PHP_INT_MIN", "00000002218000000000000000", 0, "i-9223372036854775808" },
	{ "1.5", "000000020c3ff8000000000000", 0, "d1.5" },
	{ "-0.0", "000000020c8000000000000000", 0, "d-0" },
	{ "0.1", "000000020c3fb999999999999a", 0, "d0.1" },
	{ "INF", "000000020c7ff0000000000000", 0, "dinf" },
	{ "-INF", "000000020cfff0000000000000", 0, "d-inf" },
	{ "NAN", "000000020c7ff8000000000000", 0, "dnan" },
	{ "1e100", "000000020c54b249ad2594c37d", 0, "d1e+100" },
	{ "\"\"", "000000020d", 0, "s\"\"" },
	{ "\"hi\"", "0000000211026869", 0, "s\"hi\"" },
	{ "\"a\\0b\"", "000000021103610062", 0, "s\"a\\x00b\"" },
	/* Format version 1 (igbinary 1.x) decodes the same; made by hand. */
	{ "version 1 header, 3", "000000010603", 0, "i3" },
	/* string64 (only written for strings of 4 GiB or more); made by hand. */
	{ "string64 \"abc\"", "00000002 26 0000000000000003 616263", 0, "s\"abc\"" },

	/* Arrays and the string table. */
	{ "[]", "000000021400", 0, "a{}" },
	{ "[1,2,3]", "000000021403060006010601060206020603", 0, "a{i0:i1,i1:i2,i2:i3}" },
	{ "[\"a\"=>1,\"b\"=>[true,null]]", "00000002140211016106011101621402060005060100", 0,
	  "a{s\"a\":i1,s\"b\":a{i0:b1,i1:N}}" },
	{ "[-5=>1,70000=>2,PHP_INT_MAX=>3,-70000=>4]",
	  "000000021404070506010a000111700602207fffffffffffffff06030b000111700604", 0,
	  "a{i-5:i1,i70000:i2,i9223372036854775807:i3,i-70000:i4}" },
	{ "[\"x\",\"x\",\"y\",\"x\"]", "000000021404060011017806010e00060211017906030e00", 0,
	  "a{i0:s\"x\",i1:s\"x\",i2:s\"y\",i3:s\"x\"}" },
	{ "[\"k\"=>\"k\"]", "00000002140111016b0e00", 0, "a{s\"k\":s\"k\"}" },
	{ "[\"k\"=>\"\",\"\"=>\"k\"]", "00000002140211016b0d0d0e00", 0,
	  "a{s\"k\":s\"\",s\"\":s\"k\"}" },
	{ "[[\"id\"=>1,\"tags\"=>[\"x\",\"y\"]],[\"id\"=>2,\"tags\"=>[\"y\"]]]",
	  "00000002140206001402110269640601110474616773140206001101780601110179"
	  "060114020e0006020e01140106000e03", 0,
	  "a{i0:a{s\"id\":i1,s\"tags\":a{i0:s\"x\",i1:s\"y\"}},"
	  "i1:a{s\"id\":i2,s\"tags\":a{i0:s\"y\"}}}" },
	/* A null key is a skipped entry with no value (igbinary pads with it); made by hand,
	 * igbinary_unserialize gives [0 => 5]. */
	{ "null key skipped", "0000000214020006000605", 0, "a{i0:i5}" },

	/* Objects. */
	{ "new stdClass", "000000021708737464436c6173731400", 0, "O<stdClass>{}" },
	{ "(object)[\"a\"=>1,\"b\"=>\"x\"]",
	  "000000021708737464436c61737314021101610601110162110178", 0,
	  "O<stdClass>{\"a\":i1,\"b\":s\"x\"}" },
	{ "new User",
	  "00000002170455736572140311046e616d65001107002a00726f6c65110561646d696e11080055736572"
	  "007077110178", 0,
	  "O<User>{\"name\":N,#\"role\":s\"admin\",-User\"pw\":s\"x\"}" },
	{ "new Admin",
	  "00000002170541646d696e140511046e616d65001107002a00726f6c65110561646d696e110800557365"
	  "72007077110178 1109 0041646d696e00707711017911056c6576656c0603", 0,
	  "O<Admin>{\"name\":N,#\"role\":s\"admin\",-User\"pw\":s\"x\",-Admin\"pw\":s\"y\","
	  "\"level\":i3}" },
	/* The class name and property names come back as string ids. */
	{ "[new Point, new Point]",
	  "00000002140206001705506f696e7414021101780601110179060206011a0014020e0106010e020602", 0,
	  "a{i0:O<Point>{\"x\":i1,\"y\":i2},i1:O<Point>{\"x\":i1,\"y\":i2}}" },
	{ "$u=new User; $u->name=\"alice\"; [\"user_id\"=>12345,\"u\"=>$u]",
	  "0000000214021107757365725f6964083039110175170455736572140311046e616d651105616c696365"
	  "1107002a00726f6c65110561646d696e11080055736572007077110178", 0,
	  "a{s\"user_id\":i12345,s\"u\":O<User>{\"name\":s\"alice\",#\"role\":s\"admin\","
	  "-User\"pw\":s\"x\"}}" },
	/* An object reached twice is an objref; its properties' names are string ids. */
	{ "$u=new Admin; $u->name=\"bob\"; [\"a\"=>$u,\"b\"=>$u,\"c\"=>new Admin]",
	  "000000021403110161170541646d696e140511046e616d651103626f621107002a00726f6c6511056164"
	  "6d696e1108005573657200707711017811090041646d696e00707711017911056c6576656c0603110162"
	  "22011101631a0114050e02000e040e050e060e070e080e090e0a0603", 0,
	  "a{s\"a\":$2*1=O<Admin>{\"name\":s\"bob\",#\"role\":s\"admin\",-User\"pw\":s\"x\","
	  "-Admin\"pw\":s\"y\",\"level\":i3},s\"b\":r$2,s\"c\":O<Admin>{\"name\":N,"
	  "#\"role\":s\"admin\",-User\"pw\":s\"x\",-Admin\"pw\":s\"y\",\"level\":i3}}" },
	/* Property names are always strings, even when they look like numbers. */
	{ "$o=new stdClass; $o->{\"5\"}=1; $o->x=2",
	  "000000021708737464436c617373140211013506011101780602", 0,
	  "O<stdClass>{\"5\":i1,\"x\":i2}" },
	/* An integer property key (hand-made) becomes a string, as igbinary converts it. */
	{ "stdClass with integer key 5, by hand", "000000021708737464436c6173731401060506 01", 0,
	  "O<stdClass>{\"5\":i1}" },
	/* Serializable: object_ser with the payload of serialize(). */
	{ "new Ser", "0000000217035365721d0b7061796c6f61643a616263", 0,
	  "C<Ser>\"payload:abc\"" },
	{ "[new Ser, new Ser]",
	  "000000021402060017035365721d0b7061796c6f61643a61626306011a001d0b7061796c6f61643a616263",
	  0, "a{i0:C<Ser>\"payload:abc\",i1:C<Ser>\"payload:abc\"}" },
	{ "$s=new Ser; [$s,$s]",
	  "000000021402060017035365721d0b7061796c6f61643a61626306012201", 0,
	  "a{i0:$2*1=C<Ser>\"payload:abc\",i1:r$2}" },
	/* __serialize(): the class name and the returned array, as for plain properties. */
	{ "new Magic", "0000000217054d61676963140211016b11017606000607", 0,
	  "O<Magic>{\"k\":s\"v\",\"0\":i7}" },
	{ "$m=new Magic; [$m,$m]",
	  "000000021402060017054d61676963140211016b1101760600060706012201", 0,
	  "a{i0:$2*1=O<Magic>{\"k\":s\"v\",\"0\":i7},i1:r$2}" },
	{ "new Sleepy", "000000021706536c65657079140111046b6565700601", 0,
	  "O<Sleepy>{\"keep\":i1}" },
	/* Enums: the class name, enum_case, and the case name as a string. */
	{ "Suit::Hearts", "00000002170453756974271106486561727473", 0, "E<Suit>\"Hearts\"" },
	{ "[Suit::Hearts, Suit::Spades, Suit::Hearts]",
	  "000000021403060017045375697427110648656172747306011a0027110653706164657306022201", 0,
	  "a{i0:$2*1=E<Suit>\"Hearts\",i1:E<Suit>\"Spades\",i2:r$2}" },
	{ "[Level::High, Suit::Hearts]",
	  "000000021402060017054c6576656c271104486967680601170453756974271106486561727473", 0,
	  "a{i0:E<Level>\"High\",i1:E<Suit>\"Hearts\"}" },
	/* An enum case named by a class-name id is accepted too (hand-made). */
	{ "enum case name as object_id8, by hand", "00000002170453756974271a00", 0,
	  "E<Suit>\"Suit\"" },

	/* References. Slots number arrays, objects and &-wrapped scalars from 1. */
	{ "$a=[1]; [$a,$a]  (a copy, not a PHP reference)", "000000021402060014010600060106010101",
	  1, "$1=a{i0:$2*1=a{i0:i1},i1:r$2}" },
	{ "$a=[1]; [&$a,&$a]", "0000000214020600251401060006010601250101", 1,
	  "$1=a{i0:$2*1=a{i0:i1},i1:R$2}" },
	{ "$s=\"x\"; [&$s,&$s,\"x\"]", "000000021403060025110178060125010106020e00", 1,
	  "$1=a{i0:$2*1=s\"x\",i1:R$2,i2:s\"x\"}" },
	{ "$o=new stdClass; [$o,$o]", "00000002140206001708737464436c617373140006012201", 1,
	  "$1=a{i0:$2*1=O<stdClass>{},i1:r$2}" },
	{ "$o=new stdClass; [&$o,&$o]", "0000000214020600251708737464436c61737314000601252201", 1,
	  "$1=a{i0:$2*1=O<stdClass>{},i1:R$2}" },
	{ "$o=new stdClass; $o->self=$o", "000000021708737464436c6173731401110473656c662200", 1,
	  "$1*1=O<stdClass>{\"self\":r$1}" },
	{ "$a=[]; $a[\"self\"]=&$a; $a", "000000021401110473656c6614010e000101", 1,
	  "$1=a{s\"self\":$2*1=a{s\"self\":r$2}}" },
	{ "$i=5; $o=new Point; $o->x=&$i; [&$i, $o, [], \"t\"=>&$i]",
	  "000000021404060025060506011705506f696e741402110178250101110179060206021400110174250101",
	  1, "$1=a{i0:$2*2=i5,i1:$3=O<Point>{\"x\":R$2,\"y\":i2},i2:$4=a{},s\"t\":R$2}" },
	{ "$n=null; $b=true; $d=1.5; [&$n,&$n,&$b,&$b,&$d,&$d]",
	  "0000000214060600250006012501010602250506032501020604250c3ff80000000000000605250103",
	  1, "$1=a{i0:$2*1=N,i1:R$2,i2:$3*1=b1,i3:R$3,i4:$4*1=d1.5,i5:R$4}" },
	{ "$e=[]; [&$e, &$e, $e]", "0000000214030600251400060125010106021400", 1,
	  "$1=a{i0:$2*1=a{},i1:R$2,i2:$3=a{}}" },
	{ "$o=new stdClass; [Suit::Hearts, $o, Suit::Hearts, $o]",
	  "000000021404060017045375697427110648656172747306011708737464436c61737314000602220106"
	  "032202", 1,
	  "$1=a{i0:$2*1=E<Suit>\"Hearts\",i1:$3*1=O<stdClass>{},i2:r$2,i3:r$3}" },
	/* A & around a & (hand-made) is still one slot. */
	{ "25 25 06 01 inside an array, by hand", "000000021402060025250601060125 0101", 1,
	  "$1=a{i0:$2*1=i1,i1:R$2}" },

	/* Sessions: session_encode() and the files handler's sess_<id> file with
	 * session.serialize_handler=igbinary hold igbinary_serialize($_SESSION), byte for byte. */
	{ "session: user_id=12345, name=alice, cart=[[sku=>A1,qty=>2],[sku=>B2,qty=>1]], flag=true",
	  "0000000214041107757365725f696408303911046e616d651105616c6963651104636172741402060014"
	  "021103736b751102413111037174790602060114020e04110242320e0606011104666c616705", 0,
	  "a{s\"user_id\":i12345,s\"name\":s\"alice\",s\"cart\":a{i0:a{s\"sku\":s\"A1\","
	  "s\"qty\":i2},i1:a{s\"sku\":s\"B2\",s\"qty\":i1}},s\"flag\":b1}" },
	{ "session: user=$u, again=$u, role=admin, suit=Suit::Spades, score=2.5, n=&$n, n2=&$n",
	  "000000021407110475736572170455736572140311046e616d651105616c6963651107002a00726f6c65"
	  "110561646d696e110800557365720070771101781105616761696e22011104726f6c650e051104737569"
	  "74170453756974271106537061646573110573636f72650c400400000000000011016e25060711026e32"
	  "250103", 1,
	  "$1=a{s\"user\":$2*1=O<User>{\"name\":s\"alice\",#\"role\":s\"admin\",-User\"pw\":s\"x\"},"
	  "s\"again\":r$2,s\"role\":s\"admin\",s\"suit\":$3=E<Suit>\"Spades\",s\"score\":d2.5,"
	  "s\"n\":$4*1=i7,s\"n2\":R$4}" },
	{ "session: empty $_SESSION", "000000021400", 0, "a{}" },
};

struct bad {
	const char *what;
	const char *hex;	/* made by hand */
	size_t offset;
	const char *msg;	/* a substring of the message */
};

static const struct bad bads[] = {
	{ "empty input", "", 0, "too short" },
	{ "header only", "00000002", 0, "too short for igbinary (4 bytes)" },
	{ "version 3", "0000000300", 0, "unsupported igbinary version 0x00000003" },
	{ "version 0", "0000000000", 0, "unsupported igbinary version" },
	{ "serialize() text", "613a323a7b", 0, "unsupported igbinary version 0x613a323a" },
	{ "trailing byte", "000000020000", 5, "1 bytes of trailing data" },
	{ "unknown type 0x3f", "000000023f", 4, "unknown type byte 0x3f" },
	{ "unknown type 0x28", "0000000228", 4, "unknown type byte 0x28" },
	{ "unknown type 0xff in array", "0000000214010600ff", 8, "unknown type byte 0xff" },
	{ "enum_case as a value", "0000000227", 4, "unknown type byte 0x27" },
	{ "object_ser as a value", "000000021d0161", 4, "unknown type byte 0x1d" },
	{ "long8p truncated", "0000000206", 4, "integer past end of data" },
	{ "long16n truncated", "000000020901", 4, "integer past end of data" },
	{ "long32p truncated", "000000020a000000", 4, "integer past end of data" },
	{ "long64n truncated", "0000000221000000000000", 4, "integer past end of data" },
	{ "long64p 2^63", "00000002208000000000000000", 4, "out of range" },
	{ "long64n 2^63+1", "00000002218000000000000001", 4, "out of range" },
	{ "double truncated", "000000020c3ff800", 4, "double past end of data" },
	{ "string8 length missing", "0000000211", 4, "string length past end of data" },
	{ "string8 past end", "00000002110a616263", 4, "string of 10 bytes past end of data (3 left)" },
	{ "string16 length cut", "000000021200", 4, "string length past end of data" },
	{ "string32 huge", "0000000213ffffffff61", 4, "string of 4294967295 bytes" },
	{ "string64 huge", "0000000226ffffffffffffffff61", 4, "string of 18446744073709551615 bytes" },
	{ "string id, empty table", "000000020e00", 4, "string id 0 past string table (0 entries)" },
	{ "string id 7 of 1", "0000000214020600110178 06010e07", 13,
	  "string id 7 past string table (1 entries)" },
	{ "string id16 cut", "000000020f00", 4, "string id past end of data" },
	{ "string id32 huge", "0000000210ffffffff", 4, "string id 4294967295 past string table" },
	{ "empty string is not in the table", "00000002140206000d06010e00", 11,
	  "string id 0 past string table (0 entries)" },
	{ "array count missing", "0000000214", 4, "array count past end of data" },
	{ "array8 count past end", "0000000214ff0600", 4, "array count 255 past end of data (2 bytes left)" },
	{ "array32 absurd count", "0000000216ffffffff00", 4, "array count 4294967295 past end of data" },
	{ "array entries cut", "000000021402060006010601", 12, "unexpected end of data" },
	{ "array value missing", "0000000214010600", 8, "unexpected end of data" },
	{ "array key is an array", "00000002140114000601", 6, "unknown key type byte 0x14" },
	{ "array key is a double", "0000000214010c000000000000000006", 6, "unknown key type byte 0x0c" },
	{ "array key is a reference", "000000021401010006 01", 6, "unknown key type byte 0x01" },
	{ "array key string id past table", "0000000214010e000601", 6, "string id 0 past string table" },
	{ "array key long truncated", "00000002140108", 6, "integer past end of data" },
	{ "class name truncated", "0000000217055573", 4, "class name of 5 bytes past end of data (2 left)" },
	{ "class name length missing", "0000000218", 4, "class name length past end of data" },
	{ "class id past table", "000000021a03", 4, "class id 3 past string table (0 entries)" },
	{ "class id past table after strings", "000000021402 06001101 41 06011a05 1400", 13,
	  "class id 5 past string table (1 entries)" },
	{ "object without body", "00000002170141", 7, "unexpected end of data" },
	{ "object body is a string", "0000000217014111017a", 7, "unknown object type byte 0x11" },
	{ "object props count past end", "000000021701411405", 7, "array count 5 past end of data" },
	{ "object prop value missing", "00000002170141140111017a", 12, "unexpected end of data" },
	{ "object prop key bad", "000000021701411401050601", 9, "unknown key type byte 0x05" },
	{ "object_ser past end", "00000002170141 1d 09 6162", 7,
	  "serialized object of 9 bytes past end of data (2 left)" },
	{ "object_ser32 length cut", "00000002170141 1f 0000", 7,
	  "serialized object length past end of data" },
	{ "enum case missing", "0000000217045375697427", 11, "unexpected end of data" },
	{ "enum case is an integer", "000000021704537569742706 01", 11, "unknown enum case type byte 0x06" },
	{ "enum case is empty", "00000002170453756974270d", 11, "unknown enum case type byte 0x0d" },
	{ "enum case id past table", "00000002170453756974270e09", 11, "string id 9 past string table" },
	{ "ref with empty table", "000000020100", 4, "reference 0 past reference table (0 entries)" },
	{ "ref past table", "0000000214010600 0105", 8, "reference 5 past reference table (1 entries)" },
	{ "ref32 past table", "0000000214010600 03ffffffff", 8, "reference 4294967295 past reference table" },
	{ "objref past table", "0000000214010600 2201", 8, "reference 1 past reference table (1 entries)" },
	{ "objref16 cut", "0000000214010600 2300", 8, "reference past end of data" },
	{ "& on a reference to itself", "000000022501 00", 5, "reference 0 past reference table (0 entries)" },
	{ "& at end", "0000000225", 5, "unexpected end of data" },
	{ "scalar slot taken after its value", "00000002140206002506010601 0102", 13,
	  "reference 2 past reference table (2 entries)" },
};

/* Decodes one good row and compares its dump. */
static void check_good(const struct good *g)
{
	size_t len;
	char *in = unhex(g->hex, &len);
	struct decode_error err = { 0, "" };
	struct pv *v = igbinary_decode(in, len, &err);
	struct buf out = BUF_INIT;
	if (v)
		dump(&out, v, g->all_slots);
	unit_check(v && strcmp(out.ptr, g->expect) == 0, "decode %s%s%s%s%s", g->php,
		   v ? "" : ": error: ", v ? "" : err.msg,
		   v && strcmp(out.ptr, g->expect) ? "\n#   got: " : "",
		   v && strcmp(out.ptr, g->expect) ? out.ptr : "");
	buf_release(&out);
	pv_free(v);
	free(in);
}

/* Decodes one bad row: NULL, the offset and the message. */
static void check_bad(const struct bad *b)
{
	size_t len;
	char *in = unhex(b->hex, &len);
	struct decode_error err = { 0, "" };
	struct pv *v = igbinary_decode(in, len, &err);
	unit_check(!v && err.offset == b->offset && strstr(err.msg, b->msg),
		   "reject %s (offset %zu, \"%s\"; want %zu, \"%s\")", b->what,
		   err.offset, err.msg, b->offset, b->msg);
	pv_free(v);
	free(in);
}

/* Properties that share a plain name, as JSON: a private property of another class is
 * "Other::name" (classes of tests/php/classes.php; A: #[AllowDynamicProperties], none
 * declared). */
static const struct json_row {
	const char *php;
	const char *hex;
	const char *json;	/* pv_write_json, and jansson's compact dump */
} json_rows[] = {
	{ "new Account('bob', [1])",
	  "0000000217074163636f756e741405110b0043617274006974656d731401060006011108002a006f776e"
	  "65721103626f62110863757272656e63791103455552110e004163636f756e74006974656d73110873"
	  "6861646f7765641102696400",
	  "{\"__class\":\"Account\",\"Cart::items\":[1],\"owner\":\"bob\",\"currency\":\"EUR\","
	  "\"items\":\"shadowed\",\"id\":null}" },
	{ "unserialize('O:1:\"A\":2:{s:4:\"\\0B\\0x\";i:1;s:4:\"\\0C\\0x\";i:2;}')",
	  "00000002170141140211040042007806011104004300780602",
	  "{\"__class\":\"A\",\"B::x\":1,\"C::x\":2}" },
	{ "unserialize('O:1:\"A\":3:{s:4:\"\\0B\\0x\";i:1;s:1:\"x\";i:2;s:4:\"B::x\";i:3;}')",
	  "000000021701411403110400420078060111017806021104423a3a780603",
	  "{\"__class\":\"A\",\"B::x\":3,\"x\":2}" },
	{ "by hand: \\0B\\0x twice (one property, the last value)",
	  "00000002170141140211040042007806011104004200780602",
	  "{\"__class\":\"A\",\"x\":2}" },
	{ "by hand: \\0B\\0x alone",
	  "0000000217014114011104004200780601",
	  "{\"__class\":\"A\",\"x\":1}" },
};

/* Decodes one JSON row and checks both JSON writers. */
static void check_json(const struct json_row *r)
{
	size_t len;
	char *in = unhex(r->hex, &len);
	struct decode_error err = { 0, "" };
	struct pv *v = igbinary_decode(in, len, &err);
	struct buf out = BUF_INIT;
	json_t *j = v ? pv_to_json(v) : NULL;
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (v)
		pv_write_json(&out, v);
	int ok = s && strcmp(s, r->json) == 0 && out.ptr && strcmp(out.ptr, r->json) == 0;
	unit_check(ok, "json %s%s%s", r->php, ok ? "" : "\n#   got: ", ok ? "" : s ? s : err.msg);
	free(s);
	json_decref(j);
	buf_release(&out);
	pv_free(v);
	free(in);
}

static void add_be(struct buf *b, uint64_t u, unsigned width)
{
	for (unsigned i = width; i-- > 0;)
		buf_addc(b, (char)(u >> (8 * i)));
}

/* Appends an integer as igbinary writes it. */
static void add_long(struct buf *b, int64_t i)
{
	uint64_t k = i >= 0 ? (uint64_t)i : -(uint64_t)i;
	int neg = i < 0;
	if (k <= 0xff) {
		buf_addc(b, (char)(0x06 + neg));
		add_be(b, k, 1);
	} else if (k <= 0xffff) {
		buf_addc(b, (char)(0x08 + neg));
		add_be(b, k, 2);
	} else {
		buf_addc(b, (char)(0x0a + neg));
		add_be(b, k, 4);
	}
}

/* Appends a string8 (its length below 256). */
static void add_str8(struct buf *b, const char *s)
{
	buf_addc(b, 0x11);
	buf_addc(b, (char)strlen(s));
	buf_adds(b, s);
}

/* Appends an array8/16/32 count. */
static void add_array(struct buf *b, uint64_t n)
{
	if (n <= 0xff) {
		buf_addc(b, 0x14);
		add_be(b, n, 1);
	} else if (n <= 0xffff) {
		buf_addc(b, 0x15);
		add_be(b, n, 2);
	} else {
		buf_addc(b, 0x16);
		add_be(b, n, 4);
	}
}

/* Decodes b's bytes; returns new or NULL with err set. */
static struct pv *decode_buf(const struct buf *b, struct decode_error *err)
{
	char *copy = xmalloc(b->len);
	memcpy(copy, b->ptr, b->len);
	struct pv *v = igbinary_decode(copy, b->len, err);
	free(copy);
	return v;
}

/* The rows too big to paste: built here byte for byte as PHP writes them (each builder's
 * output was compared with cmp against the PHP expression named in its check). */
static void check_big_strings(void)
{
	struct buf b = BUF_INIT;
	struct decode_error err;
	/* str_repeat("x", 300): string16 */
	buf_add(&b, "\0\0\0\2\x12\x01\x2c", 7);
	for (int i = 0; i < 300; i++)
		buf_addc(&b, 'x');
	struct pv *v = decode_buf(&b, &err);
	unit_check(v && v->type == PV_STRING && v->u.str.len == 300 && v->u.str.ptr[299] == 'x',
		   "decode str_repeat(\"x\", 300) (string16)");
	pv_free(v);
	/* str_repeat("y", 70000): string32 */
	buf_reset(&b);
	buf_add(&b, "\0\0\0\2\x13\x00\x01\x11\x70", 9);
	for (int i = 0; i < 70000; i++)
		buf_addc(&b, 'y');
	v = decode_buf(&b, &err);
	unit_check(v && v->type == PV_STRING && v->u.str.len == 70000,
		   "decode str_repeat(\"y\", 70000) (string32)");
	pv_free(v);
	buf_release(&b);
}

/* range(0, n - 1): array16 or array32 counts and long8p/long16p/long32p keys. */
static void check_big_array(int n, const char *what)
{
	struct buf b = BUF_INIT;
	struct decode_error err;
	buf_add(&b, "\0\0\0\2", 4);
	add_array(&b, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		add_long(&b, i);
		add_long(&b, i);
	}
	struct pv *v = decode_buf(&b, &err);
	const struct pv *last = v && v->n_items == (size_t)n ? v->items[n - 1].value : NULL;
	unit_check(last && last->type == PV_INT && last->u.i == n - 1 &&
		   v->items[n - 1].key->u.i == n - 1, "decode range(0, %d) (%s)", n - 1, what);
	pv_free(v);
	buf_release(&b);
}

/* $a = []; for ($i = 0; $i < n; $i++) $a[] = "s$i"; $a[] = "s" . (n - 1); then new Point twice:
 * string_id16/32 for the repeated string, object_id16/32 for the second class name. */
static void check_big_string_table(int n, const char *what)
{
	struct buf b = BUF_INIT;
	struct decode_error err;
	char s[16];
	buf_add(&b, "\0\0\0\2", 4);
	add_array(&b, (uint64_t)n + 3);
	for (int i = 0; i < n; i++) {
		add_long(&b, i);
		snprintf(s, sizeof(s), "s%d", i);
		add_str8(&b, s);
	}
	unsigned w = n > 0xffff ? 4 : 2;
	unsigned base = w == 4 ? 2 : 1;
	add_long(&b, n);
	buf_addc(&b, (char)(0x0e + base));		/* string_id16/32 */
	add_be(&b, (uint64_t)n - 1, w);
	add_long(&b, n + 1);
	buf_add(&b, "\x17\x05Point\x14\x02", 9);
	add_str8(&b, "x");
	buf_add(&b, "\x06\x01", 2);
	add_str8(&b, "y");
	buf_add(&b, "\x06\x02", 2);
	add_long(&b, n + 2);
	buf_addc(&b, (char)(0x1a + base));		/* object_id16/32 */
	add_be(&b, (uint64_t)n, w);
	buf_add(&b, "\x14\x02", 2);
	for (int i = 1; i <= 2; i++) {
		buf_addc(&b, (char)(0x0e + base));
		add_be(&b, (uint64_t)n + (uint64_t)i, w);
		buf_addc(&b, 0x06);
		buf_addc(&b, (char)i);
	}
	struct pv *v = decode_buf(&b, &err);
	struct buf out = BUF_INIT;
	if (v && v->n_items == (size_t)n + 3) {
		dump(&out, v->items[n].value, 0);
		buf_adds(&out, " ");
		dump(&out, v->items[n + 2].value, 0);
	}
	snprintf(s, sizeof(s), "s%d", n - 1);
	struct buf want = BUF_INIT;
	buf_printf(&want, "s\"%s\" O<Point>{\"x\":i1,\"y\":i2}", s);
	unit_check(out.ptr && strcmp(out.ptr, want.ptr) == 0, "decode %d strings, a repeat and "
		   "two Points (%s): %s", n, what, v ? out.ptr : err.msg);
	buf_release(&want);
	buf_release(&out);
	pv_free(v);
	buf_release(&b);
}

/* $s = "x"; $o = new stdClass; $a = []; for ($i = 0; $i < n; $i++) $a[] = [$i];
 * then $a[] = &$s; $a[] = $o; $a[] = &$s; $a[] = $o: ref16/32 and objref16/32. */
static void check_big_ref_table(int n, const char *what)
{
	struct buf b = BUF_INIT;
	struct decode_error err;
	buf_add(&b, "\0\0\0\2", 4);
	add_array(&b, (uint64_t)n + 4);
	for (int i = 0; i < n; i++) {
		add_long(&b, i);
		buf_add(&b, "\x14\x01\x06\x00", 4);
		add_long(&b, i);
	}
	unsigned w = n + 2 > 0xffff ? 4 : 2;
	unsigned base = w == 4 ? 2 : 1;
	add_long(&b, n);
	buf_add(&b, "\x25\x11\x01x", 4);			/* slot n + 2 */
	add_long(&b, n + 1);
	buf_add(&b, "\x17\x08stdClass\x14\x00", 12);		/* slot n + 3 */
	add_long(&b, n + 2);
	buf_addc(&b, 0x25);
	buf_addc(&b, (char)(0x01 + base));			/* ref16/32 */
	add_be(&b, (uint64_t)n + 1, w);
	add_long(&b, n + 3);
	buf_addc(&b, (char)(0x22 + base));			/* objref16/32 */
	add_be(&b, (uint64_t)n + 2, w);
	struct pv *v = decode_buf(&b, &err);
	struct buf out = BUF_INIT;
	if (v && v->n_items == (size_t)n + 4)
		for (int i = n; i < n + 4; i++)
			dump(&out, v->items[i].value, 0);
	struct buf want = BUF_INIT;
	buf_printf(&want, "$%d*1=s\"x\"$%d*1=O<stdClass>{}R$%dr$%d", n + 2, n + 3, n + 2, n + 3);
	unit_check(out.ptr && strcmp(out.ptr, want.ptr) == 0, "decode %d arrays, then & and "
		   "object references (%s): %s", n, what, v ? out.ptr : err.msg);
	buf_release(&want);
	buf_release(&out);
	pv_free(v);
	buf_release(&b);
}

/* n nested arrays [[[...]]] (array8 of one entry, key 0), innermost empty. */
static struct pv *decode_nested(int n, const char *open, size_t open_len, const char *inner,
				size_t inner_len, struct decode_error *err)
{
	struct buf b = BUF_INIT;
	buf_add(&b, "\0\0\0\2", 4);
	for (int i = 0; i < n; i++)
		buf_add(&b, open, open_len);
	buf_add(&b, inner, inner_len);
	struct pv *v = decode_buf(&b, err);
	buf_release(&b);
	return v;
}

static void check_nesting(void)
{
	struct decode_error err;
	struct pv *v = decode_nested(PV_MAX_DEPTH - 1, "\x14\x01\x06\x00", 4, "\x14\x00", 2, &err);
	unit_check(v != NULL, "decode %d nested arrays", PV_MAX_DEPTH);
	pv_free(v);
	v = decode_nested(PV_MAX_DEPTH, "\x14\x01\x06\x00", 4, "\x14\x00", 2, &err);
	unit_check(!v && err.offset == 4 + 4 * PV_MAX_DEPTH && strstr(err.msg, "nesting deeper"),
		   "reject %d nested arrays (offset %zu, \"%s\")", PV_MAX_DEPTH + 1, err.offset,
		   err.msg);
	v = decode_nested(100000, "\x14\x01\x06\x00", 4, "\x14\x00", 2, &err);
	unit_check(!v && err.offset == 4 + 4 * PV_MAX_DEPTH && strstr(err.msg, "nesting deeper"),
		   "reject 100000 nested arrays (offset %zu, \"%s\")", err.offset, err.msg);
	/* Objects: new stdClass with property "p" holding the next one ("p" is id 1 after). */
	v = decode_nested(100000, "\x17\x08stdClass\x14\x01\x11\x01p", 15, "\x00", 1, &err);
	unit_check(!v && strstr(err.msg, "nesting deeper"),
		   "reject 100000 nested objects (offset %zu, \"%s\")", err.offset, err.msg);
	v = decode_nested(100000, "\x25", 1, "\x00", 1, &err);
	unit_check(!v && err.offset == 4 + PV_MAX_DEPTH && strstr(err.msg, "nesting deeper"),
		   "reject 100000 nested & (offset %zu, \"%s\")", err.offset, err.msg);
}

/* Every proper prefix of every good row is an error, never a crash or a leak. */
static void check_truncations(void)
{
	int failures = 0, total = 0;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		size_t len;
		char *in = unhex(goods[i].hex, &len);
		for (size_t cut = 0; cut < len; cut++) {
			char *part = xmalloc(cut);
			memcpy(part, in, cut);
			struct decode_error err = { 0, "" };
			struct pv *v = igbinary_decode(part, cut, &err);
			if (v || !err.msg[0] || err.offset > cut)
				failures++;
			total++;
			pv_free(v);
			free(part);
		}
		free(in);
	}
	unit_check(failures == 0, "reject all %d truncations of the good rows (%d accepted)",
		   total, failures);
}

/* Flipping any one byte of the good rows to any value decodes or fails cleanly. */
static void check_mutations(void)
{
	int decoded = 0, rejected = 0, bad_errors = 0;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		size_t len;
		char *in = unhex(goods[i].hex, &len);
		for (size_t at = 4; at < len; at++) {
			char keep = in[at];
			for (int byte = 0; byte < 256; byte++) {
				in[at] = (char)byte;
				struct decode_error err = { 0, "" };
				struct pv *v = igbinary_decode(in, len, &err);
				if (v)
					decoded++;
				else if (err.msg[0] && err.offset <= len)
					rejected++;
				else
					bad_errors++;
				pv_free(v);
			}
			in[at] = keep;
		}
		free(in);
	}
	unit_check(bad_errors == 0, "every one-byte change decodes or fails with a message "
		   "(%d decoded, %d rejected, %d without message)", decoded, rejected, bad_errors);
}

/* pv fields the dump does not show: slot numbering and entry ownership basics. */
static void check_fields(void)
{
	size_t len;
	/* $u = new User; [$u, $u]: the object is slot 2, shared once, by a soft reference. */
	char *in = unhex("00000002140206001704557365721403"
			 "11046e616d65001107002a00726f6c65110561646d696e11080055736572007077110178"
			 "06012201", &len);
	struct decode_error err = { 0, "" };
	struct pv *v = igbinary_decode(in, len, &err);
	const struct pv *u = v ? v->items[0].value : NULL;
	const struct pv *r = v ? v->items[1].value : NULL;
	unit_check(v && v->slot == 1 && u->slot == 2 && u->shared == 1 && r->type == PV_REF &&
		   r->target == u && !r->hard && u->items[2].vis == PV_PRIVATE &&
		   strcmp(u->items[2].decl_class, "User") == 0 && u->items[1].vis == PV_PROTECTED &&
		   !u->items[1].decl_class && strcmp(u->items[1].key->u.str.ptr, "role") == 0 &&
		   u->items[1].key->u.str.len == 4,
		   "decode $u=new User; [$u,$u]: slots, target, visibility");
	unit_check(v && pv_lookup(v, "1.name") != NULL, "lookup through the object reference");
	pv_free(v);
	free(in);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++)
		check_good(&goods[i]);
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		check_bad(&bads[i]);
	for (size_t i = 0; i < sizeof(json_rows) / sizeof(json_rows[0]); i++)
		check_json(&json_rows[i]);
	check_big_strings();
	check_big_array(300, "array16");
	check_big_array(70000, "array32");
	check_big_string_table(300, "16-bit ids");
	check_big_string_table(70000, "32-bit ids");
	check_big_ref_table(300, "16-bit ids");
	check_big_ref_table(70000, "32-bit ids");
	check_nesting();
	check_truncations();
	check_mutations();
	check_fields();
	return unit_done();
}
