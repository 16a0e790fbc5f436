<?php
// expect.php: what memcsess's JSON shows for a PHP value: json_encode's view, except that
// objects keep every property (plain names) plus "__class", strings that are not UTF-8 become
// {"__base64": ...}, INF/NAN become strings. Shared by the test writers and the golden generator.
function memcsess_expect($v)
{
	if ($v instanceof UnitEnum) {
		return ['__class' => get_class($v), '__case' => $v->name];
	}
	if (is_object($v)) {
		$out = ['__class' => get_class($v)];
		if (method_exists($v, '__serialize')) {
			$props = $v->__serialize();
		} elseif ($v instanceof Serializable) {
			return ['__class' => get_class($v), '__serialized' => $v->serialize()];
		} else {
			$props = get_mangled_object_vars($v);
		}
		foreach ($props as $k => $x) {
			$k = (string)$k;
			$plain = ($k !== '' && $k[0] === "\0") ? substr($k, strrpos($k, "\0") + 1) : $k;
			$out[$plain] = memcsess_expect($x);
		}
		return $out;
	}
	if (is_array($v)) {
		$o = [];
		foreach ($v as $k => $x) {
			$o[$k] = memcsess_expect($x);
		}
		return $o;
	}
	if (is_string($v) && !preg_match('//u', $v)) {
		return ['__base64' => base64_encode($v)];
	}
	if (is_float($v) && is_nan($v)) {
		return 'NAN';
	}
	if (is_float($v) && is_infinite($v)) {
		return $v > 0 ? 'INF' : '-INF';
	}
	return $v;
}

function memcsess_expect_json($v)
{
	return json_encode(memcsess_expect($v), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
		| JSON_PRESERVE_ZERO_FRACTION);
}
