#!/usr/bin/env bash
# bench-load.sh: faultline's load engine, vegeta's CLI and wrk, side by side,
# each at its maximum rate against the same loopback Go server
# (agents/load/bench/server). Rounds alternate the tools' order; the table
# shows each tool's median good requests per second and the ratios.
#
#   ROUNDS=3 DURATION=10s WORKERS=64 agents/load/bench/bench-load.sh
#
# faultline: agents/load/bench/flbench, the engine at rate 0 with WORKERS
#            workers (one agent);
# vegeta:    vegeta attack -rate=0 -max-workers=WORKERS | vegeta report,
#            its CLI built from the module version faultline uses;
# wrk:       wrk -t WRK_THREADS -c WORKERS (Debian's package).
# All three share the machine with the server: on a 2-core box the numbers
# say as much about the box as about the tools. Run it on a quiet machine.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WORKERS=${WORKERS:-64}
WRK_THREADS=${WRK_THREADS:-2}

cd "$(dirname "$0")/../../.."
tmp=$(mktemp -d)
server_pid=""
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "building server, flbench and vegeta's CLI (github.com/tsenart/vegeta/v12 as in go.mod)..." >&2
go build -o "$tmp/server" ./agents/load/bench/server
go build -o "$tmp/flbench" ./agents/load/bench/flbench
go build -o "$tmp/vegeta" github.com/tsenart/vegeta/v12
if ! command -v wrk >/dev/null; then
	echo "wrk missing: apt-get install -y wrk" >&2
	apt-get install -y wrk >/dev/null
fi

"$tmp/server" -addr 127.0.0.1:0 >"$tmp/addr" &
server_pid=$!
for _ in $(seq 50); do [ -s "$tmp/addr" ] && break; sleep 0.1; done
addr=$(head -1 "$tmp/addr")
case "$addr" in 127.0.0.1:*) ;; *) echo "server did not start (got '$addr')" >&2; exit 1 ;; esac
url="http://$addr/"

run_faultline() {
	"$tmp/flbench" -url "$url" -workers "$WORKERS" -duration "$DURATION" |
		sed -n 's/.*req\/s \([0-9.]*\).*/\1/p'
}
run_vegeta() {
	echo "GET $url" | "$tmp/vegeta" attack -rate=0 -max-workers="$WORKERS" -duration="$DURATION" |
		"$tmp/vegeta" report -type=json | sed -n 's/.*"throughput":\([0-9.]*\).*/\1/p'
}
run_wrk() {
	wrk -t "$WRK_THREADS" -c "$WORKERS" -d "$DURATION" "$url" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'
}

tools=(faultline vegeta wrk)
declare -A results
for r in $(seq "$ROUNDS"); do
	for i in 0 1 2; do
		tool=${tools[$(((i + r - 1) % 3))]}
		v=$("run_$tool")
		printf 'round %d %-9s %10.0f req/s\n' "$r" "$tool" "$v" >&2
		results[$tool]="${results[$tool]:-} $v"
		sleep 1
	done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
fl=$(echo "${results[faultline]}" | median)
vg=$(echo "${results[vegeta]}" | median)
wk=$(echo "${results[wrk]}" | median)

echo
echo "load generators at max rate, $ROUNDS rounds of $DURATION, $WORKERS workers/connections, loopback server, $(nproc) cores"
printf '| %-9s | %13s | %-34s | %9s | %7s |\n' tool "median req/s" "rounds" "x vegeta" "x wrk"
printf '|%s|%s|%s|%s|%s|\n' ----------- --------------- ------------------------------------ ----------- ---------
for t in faultline vegeta wrk; do
	m=$(echo "${results[$t]}" | median)
	rounds=$(echo "${results[$t]}" | awk '{for (i = 1; i <= NF; i++) printf "%s%.0f", (i > 1 ? " " : ""), $i}')
	printf '| %-9s | %13.0f | %-34s | %8.2fx | %6.2fx |\n' "$t" "$m" "$rounds" \
		"$(awk -v a="$m" -v b="$vg" 'BEGIN{print a/b}')" "$(awk -v a="$m" -v b="$wk" 'BEGIN{print a/b}')"
done
echo "anchors (issue 3, a quiet run of this machine): wrk ~88000, vegeta CLI ~38000 (0.44x wrk); goal faultline >= 1.0x vegeta"
