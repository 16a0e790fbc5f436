<?php
/*
 * make-golden.php: writes golden session values made by real PHP.
 *
 *   php tests/golden/make-golden.php tests/golden [handler ...]
 *
 * For each handler (default: php php_binary php_serialize; igbinary works too when
 * php-igbinary is loaded) and each case below, it fills $_SESSION, lets the files save
 * handler store it, and writes
 *   <handler>-<case>.sess   the exact bytes PHP stored
 *   <handler>-<case>.json   json_encode() of $_SESSION after golden_json() below
 * The .tree files (memcsess's text tree) are written by the C test and reviewed by hand:
 *   build/std/tests/test_golden tests/golden --write-trees
 *
 * golden_json() spells out what memcsess's JSON means: objects become
 * ["__class" => class] + their properties by plain name (private and protected too; for
 * classes with __serialize(), what it returns; where plain names repeat, one private to
 * another class is "Other::name"), Serializable objects
 * {"__class", "__serialized": payload}, enums {"__class", "__case"}, strings that are not
 * UTF-8 {"__base64": ...}, INF/-INF/NAN the strings "INF", "-INF", "NAN", keys that are
 * not UTF-8 \xNN-escaped, and an object met again inside itself null.
 */

error_reporting(E_ALL & ~E_DEPRECATED);

class User
{
	private $name;
	protected $role;
	public $id;
	public function __construct($name, $role, $id)
	{
		$this->name = $name;
		$this->role = $role;
		$this->id = $id;
	}
}

/* A private $name of its own beside User's: two properties with one plain name. */
class Admin extends User
{
	private $name = 'root';
	public array $perms = [];
	public ?Admin $boss = null;
	public int $unset;	/* uninitialized typed properties are not serialized */
}

/* Serializable without __serialize: PHP 8.2 still writes C:. The payload comes from a
 * nested serialize() and so shares the outer reference numbering. */
class Legacy implements Serializable
{
	public $data;
	public function __construct($data)
	{
		$this->data = $data;
	}
	public function serialize()
	{
		return serialize($this->data);
	}
	public function unserialize($s)
	{
		$this->data = unserialize($s);
	}
}

class Money
{
	public function __construct(private int $cents, private string $currency)
	{
	}
	public function __serialize(): array
	{
		return ['amount' => $this->cents / 100, 'currency' => $this->currency];
	}
	public function __unserialize(array $d): void
	{
		$this->cents = (int)round($d['amount'] * 100);
		$this->currency = $d['currency'];
	}
}

class Node
{
	public $name;
	public $parent;
	public $children = [];
}

enum Suit: string
{
	case Hearts = 'H';
	case Spades = 'S';
}

enum Status
{
	case Active;
	case Banned;
}

function case_scalars()
{
	$_SESSION['null'] = null;
	$_SESSION['yes'] = true;
	$_SESSION['no'] = false;
	$_SESSION['zero'] = 0;
	$_SESSION['minus_one'] = -1;
	$_SESSION['int_max'] = PHP_INT_MAX;
	$_SESSION['int_min'] = PHP_INT_MIN;
	$_SESSION['empty_string'] = '';
}

function case_floats()
{
	$_SESSION['tenth'] = 0.1;
	$_SESSION['one'] = 1.0;
	$_SESSION['big'] = 1e300;
	$_SESSION['neg_zero'] = -0.0;
	$_SESSION['inf'] = INF;
	$_SESSION['neg_inf'] = -INF;
	$_SESSION['nan'] = NAN;
	$_SESSION['small'] = 1e-5;
	$_SESSION['sum'] = 0.1 + 0.2;
	$_SESSION['third'] = 1 / 3;
	$_SESSION['e16'] = 1e16;
	$_SESSION['e17'] = 1e17;
	$_SESSION['list'] = [1.5, -2.25e-7, 123456.789, PHP_FLOAT_MAX, PHP_FLOAT_MIN];
}

function case_strings()
{
	$_SESSION['unicode'] = "héllo wörld ✓ 日本語 🎉";
	$_SESSION['nuls'] = "a\0b\0c";
	$_SESSION['invalid_utf8'] = "\xff\xfe\x00x\xc3";
	$_SESSION['escapes'] = "quote \" backslash \\ newline \n tab \t cr \r bell \x07 del \x7f";
	$_SESSION['separators'] = 'a|b;c:d{e}f"g';
	$_SESSION['long'] = str_repeat('0123456789', 30);
	$_SESSION['long_unicode'] = str_repeat('日本', 40);
	$_SESSION['name with spaces'] = 'x';
	$_SESSION['ключ'] = 'значение';
	$_SESSION['surrogate'] = "\xed\xa0\x80";
	$_SESSION['overlong'] = "\xc0\xaf";
	$_SESSION['keys'] = ["a\xffb" => 1, "" => 3, "colon: x" => 4, "-dash" => 5];
}

function case_nested()
{
	$_SESSION['list'] = [1, 2, 3];
	$_SESSION['assoc'] = ['a' => 1, 'b' => ['c' => ['d' => ['e' => 'deep']]]];
	$_SESSION['mixed'] = [0 => 'zero', 'one' => 1, 5 => 'five', '10' => 'ten', -3 => 'neg'];
	$_SESSION['sparse'] = [1 => 'a', 2 => 'b'];
	$_SESSION['empty'] = [];
	$_SESSION['list_of_empty'] = [[], [[]], ['' => []]];
	$deep = 'bottom';
	for ($i = 0; $i < 20; $i++)
		$deep = [$deep];
	$_SESSION['deep'] = $deep;
}

function case_objects()
{
	$_SESSION['user'] = new User('alice', 'admin', 7);
	$admin = new Admin('bob', 'root', 1);
	$admin->perms = ['read', 'write'];
	$admin->boss = new Admin('carol', 'ceo', 0);
	$_SESSION['admin'] = $admin;
	$o = new stdClass;
	$o->x = 1;
	$o->{'0'} = 'zero';
	$o->{'with space'} = [new stdClass];
	$o->{'__class'} = 'shadowed';
	$_SESSION['std'] = $o;
	$_SESSION['list'] = [new User('dave', 'guest', 3), new stdClass];
	$root = new Node;
	$root->name = 'root';
	$child = new Node;
	$child->name = 'child';
	$child->parent = $root;
	$root->children[] = $child;
	$root->parent = $root;
	$_SESSION['tree'] = $root;
}

function case_refs()
{
	$shared = new User('eve', 'user', 9);
	$_SESSION['obj'] = $shared;
	$_SESSION['same_obj'] = $shared;
	$_SESSION['in_list'] = [$shared, $shared];
	$list = [1, 2, 3];
	$_SESSION['list'] = &$list;
	$_SESSION['list_again'] = &$list;
	$n = 42;
	$arr = ['n' => &$n, 'm' => &$n, 'o' => 'other'];
	$_SESSION['arr'] = $arr;
	$_SESSION['n_too'] = &$n;
	$obj_ref = new stdClass;
	$obj_ref->v = 'by reference';
	$_SESSION['obj_ref'] = &$obj_ref;
	$_SESSION['obj_ref2'] = &$obj_ref;
	$_SESSION['obj_plain'] = $obj_ref;
	$_SESSION['last'] = &$_SESSION['list'];
}

function case_custom()
{
	$inner = new stdClass;
	$inner->k = 'v';
	$_SESSION['legacy'] = new Legacy(['a' => [1, 2], 'b' => 'text']);
	$_SESSION['after'] = $inner;
	$_SESSION['again'] = $inner;
	$_SESSION['binary_payload'] = new Legacy("\xff\x00");
}

function case_enums()
{
	$_SESSION['suit'] = Suit::Hearts;
	$_SESSION['suit_again'] = Suit::Hearts;
	$_SESSION['status'] = Status::Active;
	$_SESSION['list'] = [Suit::Spades, Status::Banned, Suit::Hearts];
	$o = new stdClass;
	$o->status = Status::Active;
	$_SESSION['obj'] = $o;
}

function case_magic()
{
	$price = new Money(1999, 'EUR');
	$_SESSION['price'] = $price;
	$_SESSION['total'] = ['net' => $price, 'gross' => new Money(2379, 'EUR'), 'again' => $price];
}

function case_empty()
{
}

function case_login()
{
	$_SESSION['user_id'] = 12345;
	$_SESSION['csrf'] = bin2hex(str_repeat("\x5a", 16));
	$_SESSION['logged_in_at'] = 1700000000.25;
	$_SESSION['flash'] = ['success' => ['Saved.'], 'error' => []];
	$_SESSION['cart'] = [
		['sku' => 'A-1', 'qty' => 2, 'price' => 9.99],
		['sku' => 'B-2', 'qty' => 1, 'price' => 100.0],
	];
	$_SESSION['prefs'] = (object)['theme' => 'dark', 'lang' => 'de'];
}

const CASES = ['scalars', 'floats', 'strings', 'nested', 'objects', 'refs', 'custom', 'enums',
	'magic', 'empty', 'login'];

function is_utf8(string $s): bool
{
	return preg_match('//u', $s) === 1;
}

/* Every byte outside printable ASCII as \xNN, and \\ and \" (memcsess's buf_add_escaped). */
function escape_bytes(string $s): string
{
	$out = '';
	for ($i = 0; $i < strlen($s); $i++) {
		$c = ord($s[$i]);
		if ($s[$i] === '\\' || $s[$i] === '"')
			$out .= '\\' . $s[$i];
		elseif ($c < 0x20 || $c >= 0x7f)
			$out .= sprintf('\\x%02x', $c);
		else
			$out .= $s[$i];
	}
	return $out;
}

function json_key($k)
{
	return is_string($k) && !is_utf8($k) ? escape_bytes($k) : $k;
}

function json_string(string $s)
{
	return is_utf8($s) ? $s : ['__base64' => base64_encode($s)];
}

/* Property name without its \0Class\0 or \0*\0 prefix. */
function plain_name($k)
{
	if (is_string($k) && strlen($k) > 2 && $k[0] === "\0") {
		$end = strpos($k, "\0", 1);
		if ($end !== false && $end > 1)
			return substr($k, $end + 1);
	}
	return $k;
}

/* The JSON names of an object's properties (mangled names as keys): plain, except that when
 * plain names repeat, a property private to a class other than $class is "Other::name". */
function property_names(array $props, string $class): array
{
	$seen = [];
	foreach ($props as $k => $v) {
		$plain = (string)plain_name($k);
		$seen[$plain] = ($seen[$plain] ?? 0) + 1;
	}
	$names = [];
	foreach ($props as $k => $v) {
		$k = (string)$k;
		$plain = (string)plain_name($k);
		$other = $plain !== $k ? substr($k, 1, strlen($k) - strlen($plain) - 2) : '*';
		$names[$k] = $seen[$plain] > 1 && $other !== '*' && $other !== $class ?
			"$other::$plain" : $plain;
	}
	return $names;
}

function golden_object(object $o, SplObjectStorage $path)
{
	$class = json_string(get_class($o));
	if ($o instanceof UnitEnum)
		return ['__class' => $class, '__case' => $o->name];
	if ($o instanceof Serializable && !method_exists($o, '__serialize'))
		return ['__class' => $class, '__serialized' => json_string($o->serialize())];
	$props = method_exists($o, '__serialize') ? $o->__serialize() : get_mangled_object_vars($o);
	$names = property_names($props, get_class($o));
	$path->attach($o);
	$out = [];
	foreach ($props as $k => $v)
		$out[json_key($names[(string)$k])] = golden_json($v, $path);
	$path->detach($o);
	return ['__class' => $class] + $out;
}

function golden_json($v, ?SplObjectStorage $path = null)
{
	$path ??= new SplObjectStorage;
	if (is_float($v) && is_nan($v))
		return 'NAN';
	if (is_float($v) && is_infinite($v))
		return $v > 0 ? 'INF' : '-INF';
	if (is_string($v))
		return json_string($v);
	if (is_object($v))
		return $path->contains($v) ? null : golden_object($v, $path);
	if (!is_array($v))
		return $v;
	$out = [];
	foreach ($v as $k => $x)
		$out[json_key($k)] = golden_json($x, $path);
	return $out;
}

/* Stores one case through the files save handler; returns the stored bytes. */
function stored_bytes(string $dir, string $handler, string $case): string
{
	ini_set('session.serialize_handler', $handler);
	session_id('golden' . bin2hex(random_bytes(8)));
	if (!session_start())
		throw new RuntimeException("session_start failed for $handler");
	$_SESSION = [];
	('case_' . $case)();
	$id = session_id();
	session_write_close();
	return file_get_contents("$dir/sess_$id");
}

function main(array $argv)
{
	$out = $argv[1] ?? 'tests/golden';
	$handlers = array_slice($argv, 2) ?: ['php', 'php_binary', 'php_serialize'];
	$dir = sys_get_temp_dir() . '/memcsess-golden-' . getmypid();
	@mkdir($dir, 0700, true);
	ini_set('session.save_handler', 'files');
	ini_set('session.save_path', $dir);
	ini_set('session.use_cookies', '0');
	ini_set('session.cache_limiter', '');
	ini_set('session.gc_probability', '0');
	foreach ($handlers as $handler) {
		foreach (CASES as $case) {
			$bytes = stored_bytes($dir, $handler, $case);
			$json = json_encode(golden_json($_SESSION), JSON_UNESCAPED_SLASHES |
				JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION | JSON_PRETTY_PRINT |
				JSON_THROW_ON_ERROR);
			file_put_contents("$out/$handler-$case.sess", $bytes);
			file_put_contents("$out/$handler-$case.json", $json . "\n");
			fwrite(STDERR, "$handler-$case: " . strlen($bytes) . " bytes\n");
		}
	}
	array_map('unlink', glob("$dir/sess_*"));
	rmdir($dir);
}

main($argv);
