<?php
// expect.php: what memcsess's JSON shows for a PHP value: json_encode's view, except that
// objects keep every property (plain names; when plain names repeat, one private to another
// class is "Other::name") plus "__class", strings that are not UTF-8 become
// {"__base64": ...}, INF/NAN become strings. Shared by the test writers and the golden generator.

// The plain name of a property (mangled: "\0Class\0name", "\0*\0name") and the class it is
// private to ('' when public or protected).
function memcsess_unmangle(string $k): array
{
	if ($k === '' || $k[0] !== "\0")
		return [$k, ''];
	$end = strrpos($k, "\0");
	$class = substr($k, 1, $end - 1);
	return [substr($k, $end + 1), $class === '*' ? '' : $class];
}

// The JSON name of each property (by its mangled name) of an object of class $class.
function memcsess_property_names(array $props, string $class): array
{
	$count = [];
	foreach ($props as $k => $x) {
		[$plain] = memcsess_unmangle((string)$k);
		$count[$plain] = ($count[$plain] ?? 0) + 1;
	}
	$names = [];
	foreach ($props as $k => $x) {
		[$plain, $other] = memcsess_unmangle((string)$k);
		$names[$k] = $count[$plain] > 1 && $other !== '' && $other !== $class ?
			"$other::$plain" : $plain;
	}
	return $names;
}
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
		$names = memcsess_property_names($props, get_class($v));
		foreach ($props as $k => $x) {
			$out[$names[$k]] = memcsess_expect($x);
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
