#!/bin/sh
# Installs the Debian packages memcsess needs to build, test and demo, when any is missing.
# As root: apt-get update once, then apt-get install -y of what is missing.
# Otherwise: prints the command to run and fails.
set -u
PKGS="build-essential pkg-config clang time libmemcached-dev libjansson-dev libncurses-dev
libedit-dev libssl-dev zlib1g-dev memcached libmemcached-tools php-cli php-memcached
php-igbinary tmux sasl2-bin libclang-rt-14-dev valgrind debhelper dpkg-dev devscripts fakeroot
lintian man-db bash-completion zsh libmicrohttpd-dev prometheus"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$st" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "memcsess: missing packages:$missing" >&2
	echo "run as root: apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "memcsess: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || exit 1
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2 || exit 1
# The Debian packages start a memcached on 11211 and a prometheus on 9090 where init scripts run;
# tests use their own ports (and their own prometheus, config and storage).
exit 0
