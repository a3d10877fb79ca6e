#!/usr/bin/env bash
# Import benchmark for SMS Backup & Restore backups, side by side with the script a user would
# write instead (../shared/tools/peer_py_ingest.py: regexes + sqlite3).
#
# usage: benches/ingest.sh [COUNTS...]     (default: 100000 1000000)
# Needs ../shared/tools (gen_backup.py, peer_py_ingest.py) beside the project.
# Prints messages/second and peak RSS for: first import, peer script, and re-scan of the
# unchanged file.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared}
[[ -x $shared/tools/gen_backup.py ]] || { echo "needs $shared/tools/gen_backup.py" >&2; exit 2; }
counts=("$@"); ((${#counts[@]})) || counts=(100000 1000000)

cargo build --release --quiet
bin=$PWD/target/release/dunwatch
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
measure() { python3 benches/measure.py "$@"; }
printf '%-10s %-22s %10s %12s %10s\n' messages run seconds msgs/sec peakRSS_MB
for n in "${counts[@]}"; do
  xml=$work/sms-$n.xml
  python3 "$shared/tools/gen_backup.py" "$xml" --messages "$n"
  export DUNWATCH_DATA_DIR=$work/data-$n DUNWATCH_CONFIG_DIR=$work/cfg
  # Warm the page cache so both importers read from memory.
  cat "$xml" > /dev/null
  for run in "dunwatch first import" "peer_py_ingest.py" "dunwatch re-scan"; do
    case $run in
      "dunwatch first import") line=$(measure "$run" -- "$bin" scan -q "$xml") ;;
      "peer_py_ingest.py") line=$(measure "$run" -- python3 "$shared/tools/peer_py_ingest.py" "$xml" "$work/peer-$n.db") ;;
      "dunwatch re-scan") line=$(measure "$run" -- "$bin" scan -q "$xml") ;;
    esac
    secs=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$line")
    rss=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["peak_rss_mb"])' "$line")
    rate=$(python3 -c "print(f'{$n/$secs:,.0f}')")
    printf '%-10s %-22s %10s %12s %10s\n' "$n" "$run" "$secs" "$rate" "$rss"
  done
  stored=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from message').fetchone()[0])" "$DUNWATCH_DATA_DIR/dunwatch.db")
  echo "           stored: $stored messages; database $(du -h "$DUNWATCH_DATA_DIR/dunwatch.db" | cut -f1)"
done
