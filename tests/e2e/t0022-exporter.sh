#!/bin/bash
# memcsess exporter: a real Prometheus server scrapes it; the session counts it answers follow
# what real PHP writes; `promtool check metrics` passes its text; a server stopped is
# memcsess_up 0 with no other series; scrapes never walk; SIGTERM ends it with 0.
. "$(dirname "$0")/../lib.sh"
for t in prometheus promtool; do
	command -v $t >/dev/null || { not_ok "$t is installed (Debian's prometheus, make deps)"; exit 1; }
done

# http_get URL: the body (empty when the request fails); http_status URL: the status code.
http_get() { php -r 'echo @file_get_contents($argv[1]);' "$1"; }
http_status() {
	php -r '@file_get_contents($argv[1], false, stream_context_create(["http" =>
		["ignore_errors" => true]])); echo explode(" ", $http_response_header[0] ?? "x 0")[1];' "$1"
}
# prom_query EXPR: the value of Prometheus's instant query EXPR ("" when no series, "many"
# when several).
prom_query() {
	php -r '$j = json_decode(@file_get_contents("http://127.0.0.1:" . $argv[1] .
		"/api/v1/query?query=" . rawurlencode($argv[2])), true);
		$r = $j["data"]["result"] ?? [];
		echo count($r) > 1 ? "many" : (count($r) ? $r[0]["value"][1] : "");' "$PROM" "$1"
}
# wait_for SECONDS WANT COMMAND...: runs COMMAND every 0.2 s until it prints WANT; prints the
# last output.
wait_for() {
	local secs=$1 want=$2 got i
	shift 2
	for i in $(seq $((secs * 5))); do
		got=$("$@")
		[ "$got" = "$want" ] && break
		sleep 0.2
	done
	echo "$got"
}
# metric NAME SERVER: the value of NAME{server="SERVER"} in the last scrape ($TMP/scrape).
metric() { grep "^$1{server=\"$2\"} " "$TMP/scrape" | awk '{print $2}'; }
scrape() { http_get "http://127.0.0.1:$EXP/metrics" >"$TMP/scrape"; }

mc_start_var A || exit 1
mc_start_var B || exit 1
POOL=127.0.0.1:$A,127.0.0.1:$B
N=24
M=9
php_write "$POOL" php $N >"$TMP/w1" || not_ok "php wrote the first sessions"

# --- the exporter, walking every second, on a port of its own
for try in 1 2 3; do
	EXP=$(free_port)
	"$MEMCSESS" -s "$POOL" exporter --listen "127.0.0.1:$EXP" --walk-interval 1 \
		2>"$TMP/exp.err" &
	EPID=$!
	for i in $(seq 50); do
		grep -q "^memcsess_up" <(http_get "http://127.0.0.1:$EXP/metrics") && break 2
		kill -0 $EPID 2>/dev/null || break
		sleep 0.2
	done
done
MC_PIDS+=($EPID)
scrape
check "the exporter answers on its --listen port" grep -q "^memcsess_up" "$TMP/scrape"
check "promtool check metrics passes the scrape" promtool check metrics <"$TMP/scrape"
check_eq "its session counts add up to what PHP wrote" $N \
	$(( $(metric memcsess_sessions 127.0.0.1:$A) + $(metric memcsess_sessions 127.0.0.1:$B) ))
check "every family has HELP and TYPE" test "$(grep -c '^# HELP memcsess_' "$TMP/scrape")" -eq \
	"$(grep -c '^# TYPE memcsess_' "$TMP/scrape")" -a "$(grep -c '^# TYPE' "$TMP/scrape")" -ge 20
check "sessions by handler: php" grep -q "^memcsess_sessions_by_handler{server=\"127.0.0.1:$A\",handler=\"php\"} [1-9]" "$TMP/scrape"
check "the size histogram ends with +Inf == _count" test \
	"$(grep "^memcsess_session_size_bytes_bucket{server=\"127.0.0.1:$A\",le=\"+Inf\"}" "$TMP/scrape" | awk '{print $2}')" = \
	"$(grep "^memcsess_session_size_bytes_count{server=\"127.0.0.1:$A\"}" "$TMP/scrape" | awk '{print $2}')"
check_eq "/ is a page linking to /metrics" 1 "$(http_get "http://127.0.0.1:$EXP/" | grep -c 'href="/metrics"')"
check_eq "anything else is 404" 404 "$(http_status "http://127.0.0.1:$EXP/nope")"
check_eq "/metrics is 200" 200 "$(http_status "http://127.0.0.1:$EXP/metrics")"

# --- a real Prometheus server, its own config, storage and port, scrapes it every second
cat >"$TMP/prom.yml" <<EOC
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: memcsess
    static_configs:
      - targets: ['127.0.0.1:$EXP']
EOC
check "promtool check config passes the test's config" promtool check config "$TMP/prom.yml" >/dev/null
for try in 1 2 3; do
	PROM=$(free_port)
	prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/prom-data" \
		--web.listen-address="127.0.0.1:$PROM" >"$TMP/prom.log" 2>&1 &
	PPID_=$!
	MC_PIDS+=($PPID_)
	for i in $(seq 100); do
		[ "$(http_status "http://127.0.0.1:$PROM/-/ready")" = 200 ] && break 2
		kill -0 $PPID_ 2>/dev/null || break
		sleep 0.2
	done
done
check_eq "Prometheus's API gives the session count PHP wrote" $N \
	"$(wait_for 30 $N prom_query 'sum(memcsess_sessions)')"
check_eq "Prometheus scraped the exporter as up" 1 "$(wait_for 10 1 prom_query 'up{job="memcsess"}')"

# the Grafana dashboard's queries: each one valid PromQL, on families the exporter serves
php -r '$d = json_decode(file_get_contents($argv[1]), true);
	foreach ($d["panels"] as $p) foreach ($p["targets"] as $t) echo $t["expr"], "\n";' \
	"$TESTS_DIR/../contrib/grafana-dashboard.json" | sed 's/\$server/.*/g' >"$TMP/exprs"
bad=0
while read -r e; do
	st=$(php -r '$j = json_decode(@file_get_contents("http://127.0.0.1:" . $argv[1] .
		"/api/v1/query?query=" . rawurlencode($argv[2])), true); echo $j["status"] ?? "";' "$PROM" "$e")
	[ "$st" = success ] || { echo "# dashboard query refused: $e"; bad=1; }
	for name in $(grep -o 'memcsess_[a-z_]*' <<<"$e" | sed 's/_bucket$//'); do
		grep -q "^# TYPE $name " "$TMP/scrape" || { echo "# dashboard names $name, not served"; bad=1; }
	done
done <"$TMP/exprs"
check "the dashboard's $(wc -l <"$TMP/exprs") queries are valid and name served families" \
	test $bad = 0 -a "$(wc -l <"$TMP/exprs")" -ge 10

php_write "$POOL" php $M >"$TMP/w2" || not_ok "php wrote more sessions"
check_eq "after PHP writes more, the API gives the new count" $((N + M)) \
	"$(wait_for 30 $((N + M)) prom_query 'sum(memcsess_sessions)')"
# the watch counted PHP's work since the exporter started, and not the exporter's own walks
check_eq "new sessions counted from the watch" $M \
	"$(wait_for 10 $M prom_query 'sum(memcsess_new_sessions_total)')"
check_eq "reads counted are PHP's alone, not the walks'" $M "$(prom_query 'sum(memcsess_session_reads_total)')"

# --- a server stopped: memcsess_up 0, and none of its other series
kill "$B_PID"
wait "$B_PID" 2>/dev/null
check_eq "a stopped server is memcsess_up 0 in Prometheus" 0 \
	"$(wait_for 30 0 prom_query "memcsess_up{server=\"127.0.0.1:$B\"}")"
scrape
check_eq "the scrape says memcsess_up 0 for it" 0 "$(metric memcsess_up 127.0.0.1:$B)"
check_eq "and no other series of it" 1 "$(grep -c "server=\"127.0.0.1:$B\"" "$TMP/scrape")"
check_eq "the other server is still up" 1 "$(metric memcsess_up 127.0.0.1:$A)"
check_eq "Prometheus has no memcsess_sessions for it (absent, not stale)" "" \
	"$(wait_for 10 "" prom_query "memcsess_sessions{server=\"127.0.0.1:$B\"}")"
check "while it still has the other server's" test -n "$(prom_query "memcsess_sessions{server=\"127.0.0.1:$A\"}")"

kill -TERM $EPID
wait $EPID
check_eq "SIGTERM: the exporter exits 0" 0 $?

# --- scrapes never walk: with a walk an hour, two scrapes a second apart see the same walk
EXP=$(free_port)
"$MEMCSESS" -s "127.0.0.1:$A" exporter --listen "127.0.0.1:$EXP" --walk-interval 1h 2>/dev/null &
EPID=$!
MC_PIDS+=($EPID)
wait_for 10 1 eval 'scrape; metric memcsess_up 127.0.0.1:$A' >/dev/null
a1=$(grep '^memcsess_last_walk_age_seconds ' "$TMP/scrape" | awk '{print $2}')
sleep 1.2
scrape
a2=$(grep '^memcsess_last_walk_age_seconds ' "$TMP/scrape" | awk '{print $2}')
check "the last walk's age grows between scrapes ($a1, $a2): no walk per scrape" \
	php -r 'exit($argv[2] - $argv[1] >= 1.1 ? 0 : 1);' "${a1:-0}" "${a2:-0}"
kill -INT $EPID
wait $EPID
check_eq "SIGINT: the exporter exits 0" 0 $?

# --- command line errors
"$MEMCSESS" -s "127.0.0.1:$A" exporter --listen nope 2>"$TMP/err"
check_eq "a bad --listen is a usage error (2)" 2 $?
check "it says what is expected" grep -q "expected ADDR:PORT" "$TMP/err"
"$MEMCSESS" -s "127.0.0.1:$A" exporter --listen "127.0.0.1:$PROM" 2>"$TMP/err"
check_eq "a port in use: exit 4" 4 $?
check "it says so" grep -q "cannot listen on 127.0.0.1 port $PROM: Address already in use" "$TMP/err"
exit $((FAILS > 0))
