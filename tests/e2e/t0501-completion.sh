#!/bin/bash
# Shell completion (issue 21), generated from the binary's tables by scripts/gen-completion.sh:
# in a real bash with bash-completion loaded, a command, an option, an option's values, a file
# and a session id PHP wrote (looked up on the pool from MEMCSESS_SERVERS or --servers, never
# hanging on a dead one); in zsh, the script loads into compinit and completes the same.
# Also --version and __complete-spec, which the scripts are made from.
. "$(dirname "$0")/../lib.sh"
top=$(cd "$TESTS_DIR/.." && pwd)
not_grep() { ! grep -q -e "$1" <<<"$2"; }
mc_start_var A || exit 1
mc_start_var B || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B"
php_write "$POOL" php 6 simple | cut -d'"' -f4 | sort >"$TMP/sids"
sid=$(head -1 "$TMP/sids")

out=$("$MEMCSESS" --version)
check "--version says the version and the build ($out)" \
	grep -Eqx 'memcsess [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]+(-dirty)?|unknown), built [0-9-]{10}\)' \
	<<<"$out"
"$MEMCSESS" __complete-spec >"$TMP/spec"
check "__complete-spec says its format first" test "$(head -1 "$TMP/spec")" = \
	"memcsess-complete-spec 1"
check "__complete-spec: list --sort's words" \
	grep -qx 'option list --sort - choice sid server size ttl idle' "$TMP/spec"
check "__complete-spec: --servers takes servers" grep -qx 'option - --servers -s servers' \
	"$TMP/spec"
check "__complete-spec: inspect's operands are sids" grep -q '^command inspect sid ' "$TMP/spec"
check "__complete-spec: every command of the usage" test "$(grep -c '^command ' "$TMP/spec")" = \
	"$("$MEMCSESS" --help | sed -n '/^commands:/,/^$/p' | grep -c '^  [a-z]')"
check "usage does not show __complete-spec" not_grep __complete "$("$MEMCSESS" --help)"

# every word the completions offer for a choice is one memcsess accepts (its parsers are the
# truth; the words come from commands/opt_arg.c): a bad one is a usage error, exit 2
bad=
n=0
while read -r what scope long short kind words; do
	[ "$what" = option ] && { [ "$kind" = choice ] || [ "$kind" = list ]; } || continue
	case $scope in
	-) cmd=(list x) ;;
	list | dump | inspect) cmd=("$scope" x) ;;
	decode) cmd=(decode /dev/null) ;;
	watch) cmd=(watch --duration 0.3) ;;
	*) continue ;;
	esac
	for w in $words; do
		timeout 10 "$MEMCSESS" -s 127.0.0.1:1 --timeout 0.2 --prefix p. "${cmd[0]}" "$long" \
			"$w" "${cmd[@]:1}" </dev/null >/dev/null 2>&1
		[ $? -ne 2 ] || bad+=" $long=$w"
		n=$((n + 1))
	done
done <"$TMP/spec"
check_eq "memcsess accepts all $n words of the choices" "" "$bad"
check "the check above tried every choice option" test "$n" -ge 20

bash "$top/scripts/gen-completion.sh" "$MEMCSESS" "$TMP/comp"
check "the generator writes both scripts" test -s "$TMP/comp/memcsess.bash" -a \
	-s "$TMP/comp/_memcsess"

# bcomp WORD...: what bash's completion of memcsess offers for the last word, sorted, one a
# line (the first word is the binary under test).
cat >"$TMP/bcomp.sh" <<EOS
source /usr/share/bash-completion/bash_completion
source "$TMP/comp/memcsess.bash"
COMP_WORDS=("\$@")
COMP_CWORD=\$((\$# - 1))
COMP_LINE="\$*"
COMP_LINE=\${COMP_LINE// = /=}
COMP_POINT=\${#COMP_LINE}
COMPREPLY=()
_memcsess memcsess "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "\${COMPREPLY[@]}" | sort
EOS
bcomp() { (cd "$TMP" && bash "$TMP/bcomp.sh" "$MEMCSESS" "$@"); }
lines() { printf '%s\n' "$@"; }

check_eq "bash: a command (ins)" inspect "$(bcomp ins)"
check_eq "bash: a command after a common option" "dump" "$(bcomp --app php du)"
check_eq "bash: an option (list --so)" --sort "$(bcomp list --so)"
check_eq "bash: a common option after the command" --distribution "$(bcomp list --dis)"
check_eq "bash: --sort's values (list --sort s)" "$(lines server sid size)" \
	"$(bcomp list --sort s)"
check_eq "bash: --sort=s" "$(lines server sid size)" "$(bcomp list --sort = s)"
check_eq "bash: --scheme's values" "$(lines laravel)" "$(bcomp --scheme l)"
check_eq "bash: --events after a comma" "$(lines read,lock read,lock-held)" \
	"$(bcomp watch --events read,lo)"
touch "$TMP/dump-one.jsonl" "$TMP/dump-two.jsonl"
check_eq "bash: a file where the command takes one" "$(lines dump-one.jsonl dump-two.jsonl)" \
	"$(bcomp load dump-)"
check_eq "bash: a file for --key-file" "$(lines dump-one.jsonl dump-two.jsonl)" \
	"$(bcomp list --key-file dump-)"
check_eq "bash: no value offered for a number" "" "$(bcomp list --limit '')"
export MEMCSESS_SERVERS=$POOL
check_eq "bash: servers from MEMCSESS_SERVERS" "$(lines "127.0.0.1:$A" "127.0.0.1:$B" | sort)" \
	"$(bcomp --servers 127.0.0.1: | sed "s/^/127.0.0.1:/")"
check_eq "bash: a sid from the pool (MEMCSESS_SERVERS)" "$sid" "$(bcomp inspect "${sid:0:12}")"
check_eq "bash: every sid for an empty word" "$(cat "$TMP/sids")" "$(bcomp expire '')"
check_eq "bash: a sid for --sid" "$sid" "$(bcomp list --sid "${sid:0:12}")"
unset MEMCSESS_SERVERS
check_eq "bash: a sid from the pool given with --servers" "$sid" \
	"$(bcomp --servers "$POOL" inspect "${sid:0:12}")"
check_eq "bash: a sid from the pool given with --servers=" "$sid" \
	"$(bcomp --servers = "$POOL" --app php inspect "${sid:0:12}")"
check_eq "bash: no sid from another pool" "" \
	"$(bcomp --servers "127.0.0.1:$A" --prefix other. inspect "${sid:0:12}")"
# a server that accepts and never answers (stopped): Tab gives up within its bound
mc_start_var S || exit 1
kill -STOP "$S_PID"
t0=$(date +%s%N)
res=$(bcomp --servers "127.0.0.1:$S" inspect a)
ms=$((($(date +%s%N) - t0) / 1000000))
check "bash: a silent server does not hold the shell (${ms} ms)" test "$ms" -lt 2500
check_eq "bash: nothing from a silent server" "" "$res"

# zsh, when Debian's zsh is installed (scripts/deps.sh installs it)
if command -v zsh >/dev/null; then
	mkdir -p "$TMP/zfunc" "$TMP/bin"
	ln -s "$MEMCSESS" "$TMP/bin/memcsess"
	cp "$TMP/comp/_memcsess" "$TMP/zfunc/_memcsess"
	# sourced outside a completion, the script defines its functions and then calls
	# _arguments, which says only that it is not in a completion
	ZDOTDIR=$TMP zsh -fc "fpath=('$TMP/zfunc' \$fpath); autoload -U compinit; \
		compinit -u -d '$TMP/zcompdump'; source '$TMP/comp/_memcsess' 2>'$TMP/zsrc.err'; \
		(( \$+functions[_memcsess_value] )) && [[ \${_comps[memcsess]} == _memcsess ]]" \
		>"$TMP/zsh.out" 2>&1
	check "zsh: compinit takes _memcsess for memcsess, sourcing defines its functions" \
		test $? -eq 0
	check "zsh: loading says nothing" test ! -s "$TMP/zsh.out"
	check_eq "zsh: sourcing says nothing else" "" \
		"$(grep -v 'can only be called from completion function' "$TMP/zsrc.err")"
	check "zsh: the script parses (zsh -n)" zsh -n "$TMP/comp/_memcsess"
	# a real completion through zpty: the line typed, Tab, and what the widget inserts
	cat >"$TMP/zpty.zsh" <<EOS
fpath=('$TMP/zfunc' \$fpath)
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='>' ; fpath=('$TMP/zfunc' \\\$fpath); autoload -U compinit; compinit -u -d '$TMP/zcd2'"
zpty -w z "export MEMCSESS_SERVERS='$POOL' PATH='$TMP/bin':\\\$PATH"
zpty -w z "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no"
zpty -n -w z "\$1"\$'\t'
sleep 2
zpty -w z \$'\x15'
zpty -w z "print -r -- MARK"
sleep 0.5
zpty -r z out '*MARK*MARK*'
print -r -- "\$out"
zpty -d z
EOS
	zcomp() { timeout 20 zsh -f "$TMP/zpty.zsh" "$1" 2>&1 | tr -d '\r'; }
	# what the widget inserts or lists holds the candidate (the typed word is shorter)
	check "zsh: a command (memcsess ins)" grep -q inspect <<<"$(zcomp 'memcsess ins')"
	check "zsh: an option (memcsess list --so)" grep -q -- --sort \
		<<<"$(zcomp 'memcsess list --so')"
	check "zsh: --sort's values" grep -q size <<<"$(zcomp 'memcsess list --sort si')"
	check "zsh: a sid from the pool" grep -q "$sid" \
		<<<"$(zcomp "memcsess inspect ${sid:0:12}")"
fi
exit "$FAILS"
