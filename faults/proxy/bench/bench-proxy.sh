#!/usr/bin/env bash
# bench-proxy.sh: direct vs faultline proxy vs Toxiproxy, side by side, on
# loopback only. Alternating rounds; medians reported.
#   ROUNDS (default 5), DUR (wrk/vegeta seconds per run, default 5)
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROUNDS=${ROUNDS:-5}
DUR=${DUR:-5}
BIN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$BIN"' EXIT

go build -o "$BIN/faultline" ./cmd/faultline
go build -o "$BIN/upstream" ./faults/proxy/bench/upstream
go build -o "$BIN/vegeta" github.com/tsenart/vegeta/v12 || { echo "vegeta did not build"; exit 1; }
if ! go build -o "$BIN/toxiproxy" github.com/Shopify/toxiproxy/v2/cmd/server 2>"$BIN/toxi.err"; then
  echo "toxiproxy did not build: $(cat "$BIN/toxi.err")"; TOXI=0
else TOXI=1; fi
command -v wrk >/dev/null || { echo "wrk not installed (apt-get install wrk)"; exit 1; }

UP=127.0.0.1:18080
"$BIN/upstream" -addr $UP & sleep 0.5
"$BIN/faultline" proxy --port 18474 --seed 1 2>/dev/null & sleep 0.5
curl -s -XPOST localhost:18474/proxies -d "{\"name\":\"b\",\"listen\":\"127.0.0.1:18081\",\"upstream\":\"$UP\"}" >/dev/null
curl -s -XPOST localhost:18474/proxies -d "{\"name\":\"l\",\"listen\":\"127.0.0.1:18082\",\"upstream\":\"$UP\"}" >/dev/null
curl -s -XPOST localhost:18474/proxies/l/toxics -d '{"type":"latency","attributes":{"latency":100}}' >/dev/null
if [ $TOXI = 1 ]; then
  "$BIN/toxiproxy" -port 18475 >/dev/null 2>&1 & sleep 0.5
  curl -s -XPOST localhost:18475/proxies -d "{\"name\":\"b\",\"listen\":\"127.0.0.1:18091\",\"upstream\":\"$UP\"}" >/dev/null
  curl -s -XPOST localhost:18475/proxies -d "{\"name\":\"l\",\"listen\":\"127.0.0.1:18092\",\"upstream\":\"$UP\"}" >/dev/null
  curl -s -XPOST localhost:18475/proxies/l/toxics -d '{"type":"latency","attributes":{"latency":100}}' >/dev/null
fi

declare -A R
rps()  { wrk -t2 -c32 -d${DUR}s "http://$1/" | awk '/Requests\/sec/{print $2}'; }
lat()  { echo "GET http://$1/" | "$BIN/vegeta" attack -rate=$2 -duration=${DUR}s | "$BIN/vegeta" report -type=json \
          | python3 -c 'import json,sys;d=json.load(sys.stdin)["latencies"];print("%.3f %.3f"%(d["50th"]/1e6,d["99th"]/1e6))'; }
targets="direct:$UP ours:127.0.0.1:18081"; [ $TOXI = 1 ] && targets="$targets toxiproxy:127.0.0.1:18091"
for r in $(seq "$ROUNDS"); do
  echo "round $r of $ROUNDS" >&2
  for t in $targets; do n=${t%%:*}; a=${t#*:}
    R[$n.rps]+="$(rps "$a") "; R[$n.lat]+="$(lat "$a" 5000 | tr ' ' ,) "
  done
  R[direct.tox]+="$(lat $UP 200 | tr ' ' ,) "
  for t in "ours:127.0.0.1:18082" $([ $TOXI = 1 ] && echo "toxiproxy:127.0.0.1:18092"); do n=${t%%:*}; a=${t#*:}
    R[$n.tox]+="$(lat "$a" 200 | tr ' ' ,) "
  done
done
med() { python3 -c 'import sys,statistics as s;v=[float(x) for x in sys.argv[1:]];print("%.3f"%s.median(v))' "$@"; }
col() { for x in $1; do echo "$x" | cut -d, -f"$2"; done; }
# added p99: each round's p99 through the proxy minus the same round's
# direct p99, then the median over rounds (rounds drift more than a proxy adds).
added() { paste -d' ' <(col "${R[$1.lat]}" 2) <(col "${R[direct.lat]}" 2) | awk '{print $1-$2}'; }
printf "%-10s %12s %9s %9s %11s %12s %12s\n" target "wrk req/s" "p50 ms" "p99 ms" "+p99 ms" "@200/s p50" "@200/s p99"
for t in $targets; do n=${t%%:*}
  tp50="-"; tp99="-"; add="-"
  [ -n "${R[$n.tox]:-}" ] && tp50=$(med $(col "${R[$n.tox]}" 1)) && tp99=$(med $(col "${R[$n.tox]}" 2))
  [ "$n" != direct ] && add=$(med $(added "$n"))
  printf "%-10s %12s %9s %9s %11s %12s %12s\n" "$n" "$(med ${R[$n.rps]})" "$(med $(col "${R[$n.lat]}" 1))" "$(med $(col "${R[$n.lat]}" 2))" "$add" "$tp50" "$tp99"
done
echo "($ROUNDS alternating rounds of ${DUR}s, medians. p50/p99: vegeta at 5,000 req/s; +p99: a proxy's p99 minus"
echo " direct's in the same round. @200/s: vegeta at 200 req/s, straight (direct) or through a 100 ms latency toxic.)"
