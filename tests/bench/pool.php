<?php
// pool.php: a Memcached client for a pool written as session.save_path, keyed and hashed as
// php-memcached's session handler (ketama, or modula as with memcached.sess_consistent_hash=0;
// prefix memc.sess.key., no compression).
const BENCH_PREFIX = 'memc.sess.key.';

function bench_pool(string $spec, string $dist = 'ketama'): Memcached
{
	$m = new Memcached();
	// what php-memcached's session handler gets from MEMCACHED_BEHAVIOR_KETAMA (checked: same servers)
	if ($dist === 'ketama') {
		$m->setOption(Memcached::OPT_DISTRIBUTION, Memcached::DISTRIBUTION_CONSISTENT);
	}
	$m->setOption(Memcached::OPT_PREFIX_KEY, BENCH_PREFIX);
	$m->setOption(Memcached::OPT_COMPRESSION, false);
	foreach (explode(',', $spec) as $s) {
		[$host, $port] = explode(':', $s);
		$m->addServer($host, (int)$port);
	}
	return $m;
}
