#!/usr/bin/env bash
# Import throughput of every export format: the same N messages (default 100 000) written by
# benches/gen_formats.py in each format, each imported by `dunwatch scan` into a fresh
# database (release build). Prints messages/second and peak RSS per format.
# usage: benches/formats.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
cargo build --release --quiet
bin=$PWD/target/release/dunwatch
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 benches/gen_formats.py "$work/in" "$n"
printf '%-18s %10s %12s %10s %10s\n' file seconds msgs/sec peakRSS_MB stored
for f in superbackup.xml sms-ie.zip messages.ndjson messages.json messages.csv sms.vmsg mmssms.db sms.db; do
  export DUNWATCH_DATA_DIR=$work/data-$f DUNWATCH_CONFIG_DIR=$work/cfg TZ=Asia/Shanghai
  cat "$work/in/$f" > /dev/null
  line=$(python3 benches/measure.py "$f" -- "$bin" scan -q "$work/in/$f")
  secs=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$line")
  rss=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["peak_rss_mb"])' "$line")
  stored=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from message').fetchone()[0])" "$DUNWATCH_DATA_DIR/dunwatch.db")
  printf '%-18s %10s %12s %10s %10s\n' "$f" "$secs" "$(python3 -c "print(f'{$n/$secs:,.0f}')")" "$rss" "$stored"
done
