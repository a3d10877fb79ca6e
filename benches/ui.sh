#!/usr/bin/env bash
# The review page on a big history: a database of N messages (default 1 000 000) built the
# real way (benches/gen_ui.py writes an SMS Backup & Restore XML, `dunwatch scan` imports it
# into a fresh database), then `dunwatch ui --no-browser` on it, logged in with its token and
# asked for each page REPEATS times (default 20) with curl. Prints per page: the first
# request, the median, p95 and max of the repeats (ms), and what the page says it counts;
# then the server's peak RSS (VmHWM) after all requests.
#
# usage: benches/ui.sh [N] [REPEATS]
#   UI_BENCH_BIN=PATH   time that binary instead of building target/release/dunwatch
#   UI_BENCH_ONLY=RE    only the pages whose label matches the regex RE (grep -E)
# The database is kept in target/ui-bench/ (UI_BENCH_DIR) so that reruns skip the import;
# delete it to rebuild. A newer dunwatch migrates it in place when the page opens it.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
reps=${2:-20}
if [[ -n ${UI_BENCH_BIN:-} ]]; then
  bin=$UI_BENCH_BIN
else
  cargo build --release --quiet
  bin=$PWD/target/release/dunwatch
fi
cache=${UI_BENCH_DIR:-$PWD/target/ui-bench}
db=$cache/history-$n.db
export TZ=Asia/Shanghai
mkdir -p "$cache"
work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export DUNWATCH_CONFIG_DIR=$work/cfg DUNWATCH_DATA_DIR=$work/data

if [[ ! -f $db ]]; then
  echo "building $db (once)..." >&2
  python3 benches/gen_ui.py "$work/sms-bench.xml" "$n"
  line=$(python3 benches/measure.py scan -- "$bin" --db "$db.part" scan -q "$work/sms-bench.xml")
  echo "imported: $line" >&2
  rm -f "$work/sms-bench.xml"
  mv "$db.part" "$db"
  rm -f "$db.part-wal" "$db.part-shm"
fi

# Pages that name a message: the oldest debt-related one of the sender with the most of them
# (its page lists the sender's newest others), and one from a sender with a single message.
read -r busy lonely < <(python3 - "$db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
top = c.execute("SELECT sender_norm FROM message WHERE category != 'other' GROUP BY sender_norm ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
busy = c.execute("SELECT min(id) FROM message WHERE sender_norm = ? AND category != 'other'", (top,)).fetchone()[0]
lonely = c.execute("SELECT min(id) FROM message GROUP BY sender_norm HAVING count(*) = 1 LIMIT 1").fetchone()[0]
print(busy, lonely)
EOF
)

"$bin" --db "$db" ui --no-browser > "$work/ui.out" 2> "$work/ui.err" &
pid=$!
for _ in $(seq 600); do [[ -s $work/ui.out ]] && break; sleep 0.1; done
url=$(head -n1 "$work/ui.out")
[[ $url == http://127.0.0.1:* ]] || { cat "$work/ui.err" >&2; exit 1; }
origin=${url%%/login*}
# The token is traded for the session cookie once; curl keeps it in the jar.
curl -s -o /dev/null -c "$work/jar" "$url"

echo "# $(date -u +%FT%TZ)  $(uptime | sed 's/.*load/load/')  messages: $n  repeats: $reps"
printf '%-36s %8s %8s %8s %8s  %s\n' page first_ms med_ms p95_ms max_ms shows
page() {
  local label=$1 path=$2 out=$work/page.html
  [[ -n ${UI_BENCH_ONLY:-} ]] && ! grep -qE -- "$UI_BENCH_ONLY" <<< "$label" && return
  local first times=()
  first=$(curl -s -b "$work/jar" -o "$out" -w '%{http_code} %{time_total}' "$origin$path")
  [[ ${first%% *} == 200 ]] || { echo "$label: HTTP ${first%% *}" >&2; exit 1; }
  for ((i = 0; i < reps; i++)); do
    times+=("$(curl -s -b "$work/jar" -o /dev/null -w '%{time_total}' "$origin$path")")
  done
  python3 - "$label" "${first#* }" "$out" "${times[@]}" <<'EOF'
import re, statistics, sys, unicodedata
label, first, out, *times = sys.argv[1:]
ms = sorted(float(t) * 1000 for t in times)
p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
shown = re.search(r'<p class="total">(.*?)</p>', open(out, encoding="utf-8").read())
pad = 36 - sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label)
print(f"{label}{' ' * pad} {float(first) * 1000:8.1f} {statistics.median(ms):8.1f} {p95:8.1f} {ms[-1]:8.1f}  "
      + (shown.group(1) if shown else ""))
EOF
}
page "inbox (debt, first page)" "/"
page "inbox, all messages" "/?category=all"
page "inbox, category=scam" "/?category=scam"
page "inbox, lender=微众银行" "/?lender=%E5%BE%AE%E4%BC%97%E9%93%B6%E8%A1%8C"
page "inbox, search 微粒贷 (3+ chars)" "/?q=%E5%BE%AE%E7%B2%92%E8%B4%B7"
page "inbox, search 逾期 (2 chars)" "/?q=%E9%80%BE%E6%9C%9F"
page "inbox, all, search 验证码" "/?category=all&q=%E9%AA%8C%E8%AF%81%E7%A0%81"
page "inbox, one month" "/?since=2022-06-01&until=2022-06-30"
page "inbox, scam, search 微众银行" "/?category=scam&q=%E5%BE%AE%E4%BC%97%E9%93%B6%E8%A1%8C"
page "inbox, overdue, 微众银行, search 逾期" "/?category=overdue&lender=webank&q=%E9%80%BE%E6%9C%9F"
page "inbox, page 500" "/?page=500"
page "inbox, all, page 500" "/?category=all&page=500"
page "message, busiest sender" "/messages/$busy"
page "message, one-message sender" "/messages/$lonely"
page "senders" "/senders"
page "lenders" "/lenders"
page "reports" "/reports"
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "server memory: peak RSS (VmHWM) $((hwm / 1024)) MB, RSS now $((rss / 1024)) MB; database $(du -h "$db" | cut -f1)"
