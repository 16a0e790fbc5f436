#!/bin/bash
# make deb (issue 21): the package built from debian/ holds the binary, the man page, both
# completions and (when contrib/ has it) the exporter's unit; extracted into the test's own
# root, its binary says its version and build and man reads its page; lintian finds no error;
# the checkout is left as git has it.
. "$(dirname "$0")/../lib.sh"
top=$(cd "$TESTS_DIR/.." && pwd)
version=$(sed -n 's/^VERSION = //p' "$top/Makefile")
arch=$(dpkg --print-architecture)
deb=$TMP/deb/memcsess_${version}_$arch.deb
not_grep() { ! grep -q -e "$1" "$2"; }
before=$(git -C "$top" status --porcelain 2>/dev/null)

DEB_OUT=$TMP/deb make -s -C "$top" deb >"$TMP/make.out" 2>&1
check "make deb succeeds" test $? -eq 0
check "make deb builds memcsess_${version}_$arch.deb" test -f "$deb"
[ -f "$deb" ] || { cat "$TMP/make.out"; exit 1; }
check_eq "the changelog's version is the Makefile's" "$version" \
	"$(cd "$top" && dpkg-parsechangelog -S Version)"
check_eq "the checkout is left as git had it" "$before" \
	"$(git -C "$top" status --porcelain 2>/dev/null)"
check "the package depends on the libraries (shlibs)" \
	sh -c "dpkg-deb -f '$deb' Depends | grep -q 'libmemcached11.*libssl3'"

root=$TMP/root
dpkg -x "$deb" "$root"
dpkg -c "$deb" | awk '{ print $6 }' >"$TMP/files"
for f in ./usr/bin/memcsess ./usr/share/man/man1/memcsess.1.gz \
	./usr/share/bash-completion/completions/memcsess \
	./usr/share/zsh/vendor-completions/_memcsess ./usr/share/doc/memcsess/copyright; do
	check "the package holds $f" grep -qx -- "$f" "$TMP/files"
done
if [ -f "$top/contrib/memcsess-exporter.service" ]; then
	check "the package holds the exporter's unit" \
		grep -q '/systemd/system/memcsess-exporter.service$' "$TMP/files"
	check "the unit is the one in contrib/" cmp "$top/contrib/memcsess-exporter.service" \
		"$(find "$root" -name memcsess-exporter.service | head -1)"
else
	check "no unit without contrib/memcsess-exporter.service" \
		not_grep systemd "$TMP/files"
fi

out=$("$root/usr/bin/memcsess" --version)
check "the packaged binary says its version and build ($out)" \
	grep -Eqx "memcsess $version \(git ([0-9a-f]{12}(-dirty)?|unknown), built [0-9]{4}-[0-9]{2}-[0-9]{2}\)" \
	<<<"$out"
# the date is SOURCE_DATE_EPOCH's, from debian/changelog: the same in every build of it
cl_date=$(cd "$top" && date -u -d "$(dpkg-parsechangelog -S Date)" +%Y-%m-%d)
check "the build date is the changelog's ($cl_date)" grep -q "built $cl_date)" <<<"$out"
MANWIDTH=80 man -l "$root/usr/share/man/man1/memcsess.1.gz" >"$TMP/man.txt" 2>"$TMP/man.err"
check "man -l reads the packaged page" test $? -eq 0 -a ! -s "$TMP/man.err"
check "the page has COMPLETION and FILES" \
	sh -c "grep -q '^COMPLETION' '$TMP/man.txt' && grep -q '^FILES' '$TMP/man.txt'"
check "the packaged bash completion is the build's" \
	sh -c "grep -q '^complete -F _memcsess memcsess' '$root/usr/share/bash-completion/completions/memcsess'"
check "the packaged zsh completion is a compdef" \
	sh -c "head -1 '$root/usr/share/zsh/vendor-completions/_memcsess' | grep -qx '#compdef memcsess'"

make -s -C "$top" install DESTDIR="$TMP/inst" PREFIX=/usr >"$TMP/install.out" 2>&1
check "make install puts the bash completion under share/bash-completion/completions" \
	grep -q '^complete -F _memcsess memcsess' "$TMP/inst/usr/share/bash-completion/completions/memcsess"
check "make install puts the zsh completion under share/zsh/vendor-completions" \
	test -s "$TMP/inst/usr/share/zsh/vendor-completions/_memcsess"

lintian --fail-on error "$TMP"/deb/memcsess_*.changes >"$TMP/lintian.out" 2>&1
check "lintian finds no error" test $? -eq 0
check "lintian has nothing to say (warnings fixed or overridden)" \
	not_grep '^[EW]:' "$TMP/lintian.out"
[ "$FAILS" -eq 0 ] || cat "$TMP/make.out" "$TMP/lintian.out"
exit "$FAILS"
