<?php
// fill.php FIRST COUNT: writes sessions FIRST .. FIRST+COUNT-1 through PHP's own memcached session
// handler (save path and gc_maxlifetime from -d options), one session_id()/session_start()/
// session_write_close() each, and prints each sid. Realistic data: a user object, a cart of item
// objects with nested options, flash messages, preferences, history; sizes log-uniform from
// 100 B to 8 KB; handlers mixed between sessions (php 1/2, php_serialize 1/4, igbinary 1/4).
// Progress on stderr every 10,000 sessions.
[$_, $first, $count] = $argv;
$first = (int)$first;
$count = (int)$count;

class BenchUser
{
	private $id;
	protected $roles;
	public $name;
	public $email;

	public function __construct($id, $name, $roles)
	{
		$this->id = $id;
		$this->name = $name;
		$this->email = strtolower(strtr($name, ' ', '.')) . '@example.com';
		$this->roles = $roles;
	}
}

class BenchItem
{
	public $sku;
	public $qty;
	public $price;
	protected $options;

	public function __construct($sku, $qty, $price, $options)
	{
		[$this->sku, $this->qty, $this->price, $this->options] = [$sku, $qty, $price, $options];
	}
}

class BenchCart
{
	private $items = [];
	public $currency = 'EUR';
	public $coupon = null;

	public function add(BenchItem $item)
	{
		$this->items[] = $item;
	}
}

const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Émile Zola', 'Zoë Müller', 'Åsa Öberg', 'Li Wei'];
const PAGES = ['/', '/shop', '/shop/shoes', '/cart', '/account', '/search?q=red+shoes', '/blog/42'];

/* The session data of number $i: about $target bytes once serialized. */
function bench_session($i, $target)
{
	$s = ['uid' => 100000 + $i, 'csrf' => md5("csrf$i"), 'ts' => 1760000000 + $i];
	if ($target >= 250) {
		$s['user'] = new BenchUser(100000 + $i, NAMES[$i % count(NAMES)], $i % 7 ? ['user'] : ['user', 'admin']);
	}
	if ($target >= 700) {
		$cart = new BenchCart();
		for ($k = 0, $n = min(25, intdiv($target - 600, 250) + 1); $k < $n; $k++) {
			$cart->add(new BenchItem(sprintf('SKU-%05d', ($i * 7 + $k) % 99991), 1 + $k % 3,
				round(4.99 + ($i + $k) % 200 * 1.25, 2), ['size' => 36 + $k % 10,
				'colour' => ['red', 'blue', 'black'][$k % 3], 'gift' => ['wrap' => (bool)($k % 2)]]));
		}
		$s['cart'] = $cart;
	}
	if ($target >= 1500) {
		$s['flash'] = ['notice' => ['Item added to your cart.'], 'error' => []];
		$s['prefs'] = ['lang' => 'fr_FR', 'tz' => 'Europe/Paris', 'ui' => ['dark' => true, 'cols' => 3]];
		$s['history'] = array_slice(PAGES, 0, 3 + $i % 4);
	}
	$left = $target - strlen(serialize($s));
	if ($left > 20) {
		$s['recent'] = substr(str_repeat('viewed:SKU-' . ($i % 9973) . ';', intdiv($left, 10) + 1), 0, $left - 20);
	}
	return $s;
}

ini_set('session.use_cookies', '0');
ini_set('session.use_strict_mode', '0');
ini_set('session.cache_limiter', '');
mt_srand($first);
for ($i = $first; $i < $first + $count; $i++) {
	$target = (int)(100 * exp(mt_rand() / mt_getrandmax() * log(81.92)));
	ini_set('session.serialize_handler', ['php', 'php', 'php_serialize', 'igbinary'][$i % 4]);
	session_id(sprintf('b%07d%s', $i, substr(md5("sid$i"), 0, 18)));
	if (!session_start()) {
		fwrite(STDERR, "fill: session_start failed at session $i\n");
		exit(1);
	}
	$_SESSION = bench_session($i, $target);
	if (!session_write_close()) {
		fwrite(STDERR, "fill: session_write_close failed at session $i\n");
		exit(1);
	}
	fwrite(STDOUT, session_id() . "\n");	// not echo: output would stop the next ini_set()
	if (($i - $first + 1) % 10000 === 0) {
		fprintf(STDERR, "fill: %d of %d written (from %d)\n", $i - $first + 1, $count, $first);
	}
}
