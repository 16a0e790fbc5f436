#!/bin/sh
# build-deb.sh: make deb. Copies the checkout's files (tracked, and new ones git does not
# ignore) to build/deb/src, runs dpkg-buildpackage -us -uc -b there, so that the checkout stays
# as git has it, and lintian on the result. The package lands in build/deb/, or in DEB_OUT
# (an absolute path; the tests build there).
set -eu
top=$(pwd)
out=${DEB_OUT:-$top/build/deb}
for tool in dpkg-buildpackage dh; do
	command -v "$tool" >/dev/null || {
		echo "make deb: $tool is missing: run make deps (as root) or apt-get install" \
			"debhelper dpkg-dev" >&2
		exit 1
	}
done
rm -rf "$out/src" "$out"/memcsess[_-]*
mkdir -p "$out/src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	GIT_HASH=$(git rev-parse --short=12 HEAD)
	git diff-index --quiet HEAD -- || GIT_HASH=$GIT_HASH-dirty
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar -c --null -T - -f - | tar -x -C "$out/src" -f -
else
	GIT_HASH=unknown
	tar -c --exclude=./build --exclude=./memcsess -f - . | tar -x -C "$out/src" -f -
fi
export GIT_HASH
cd "$out/src"
dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "make deb: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
	exit 1
}
cd "$out"
rm -rf "$out/src"
ls "$out"/memcsess_*.deb
if command -v lintian >/dev/null; then
	lintian --fail-on error --info memcsess_*.changes
fi
