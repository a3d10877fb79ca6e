#!/usr/bin/env bash
# Measures `dunwatch run` as a user would run it (release build, default debounce):
#   1. latency from a backup file's last write to the desktop alert (Notify call received
#      by a fake notification server on a private session bus), N times;
#   2. idle RSS (VmRSS) after start, and after the alerts;
#   3. idle wake-ups: context switches of all the daemon's threads over IDLE_SECS.
# Usage: benches/daemon_latency.sh [N=10] [IDLE_SECS=60]
# Needs: dbus-run-session, /usr/bin/python3 with python3-dbus and python3-gi.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${DUNWATCH_BENCH_INNER:-}" ]]; then
  cargo build --release --quiet
  exec env DUNWATCH_BENCH_INNER=1 dbus-run-session -- "$0" "$@"
fi

N=${1:-10}
IDLE_SECS=${2:-60}
BIN=$PWD/target/release/dunwatch
WORK=$(mktemp -d)
trap 'kill $DAEMON $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/watch" "$WORK/config" "$WORK/data"

# A notification server that records the arrival time (ns) of each Notify call.
cat > "$WORK/server.py" <<'PY'
import json, sys, time
import dbus, dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib
IFACE = "org.freedesktop.Notifications"
class Server(dbus.service.Object):
    def __init__(self, bus):
        self.n = 0
        super().__init__(dbus.service.BusName(IFACE, bus, do_not_queue=True),
                         "/org/freedesktop/Notifications")
    @dbus.service.method(IFACE, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, rid, icon, summary, body, actions, hints, timeout):
        t = time.time_ns()
        self.n += 1
        with open(sys.argv[1], "a") as f:
            f.write(json.dumps({"t": t, "summary": str(summary)}, ensure_ascii=False) + "\n")
        return dbus.UInt32(self.n)
    @dbus.service.method(IFACE, out_signature="as")
    def GetCapabilities(self): return ["body", "body-markup"]
    @dbus.service.method(IFACE, out_signature="ssss")
    def GetServerInformation(self): return ("bench", "dunwatch", "0.1", "1.2")
    @dbus.service.method(IFACE, in_signature="u")
    def CloseNotification(self, nid): pass
DBusGMainLoop(set_as_default=True)
Server(dbus.SessionBus())
print("ready", flush=True)
GLib.MainLoop().run()
PY
NOTES=$WORK/notifications.jsonl
: > "$NOTES"
/usr/bin/python3 "$WORK/server.py" "$NOTES" > "$WORK/server.out" 2>&1 &
SERVER=$!
for _ in $(seq 100); do grep -q ready "$WORK/server.out" 2>/dev/null && break; sleep 0.05; done

cat > "$WORK/config/config.toml" <<TOML
watch = ["$WORK/watch"]
[alerts]
quiet_hours = ""
TOML

DUNWATCH_DATA_DIR=$WORK/data DUNWATCH_CONFIG_DIR=$WORK/config DUNWATCH_LOG=info \
  "$BIN" run 2> "$WORK/daemon.log" &
DAEMON=$!
for _ in $(seq 200); do grep -q "watching 1 folder" "$WORK/daemon.log" && break; sleep 0.05; done
sleep 3

rss() { awk '/VmRSS/ {print $2 " " $3}' "/proc/$DAEMON/status"; }
switches() { # "TID COUNT" per thread: voluntary + involuntary context switches
  for t in /proc/"$DAEMON"/task/*; do
    echo "${t##*/} $(awk '/ctxt_switches/ {s += $2} END {print s}' "$t/status" 2>/dev/null)"
  done
}
delta() { # sums per-thread growth, over threads alive at both samples (pool threads come and go)
  join <(sort <<<"$1") <(sort <<<"$2") | awk '{s += $3 - $2} END {print s + 0}'
}
echo "idle RSS after start: $(rss) (threads: $(ls /proc/$DAEMON/task | wc -l))"

lat=()
for i in $(seq "$N"); do
  before=$(wc -l < "$NOTES")
  now_ms=$(( $(date +%s%N) / 1000000 ))
  f="$WORK/watch/sms-$i.xml"
  printf '%s\n' "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>" \
    "<smses count=\"1\">" \
    "<sms address=\"1708888$(printf %04d "$i")\" date=\"$now_ms\" type=\"1\" body=\"【微众银行】第 $i 次：征信修复，转入安全账户\" />" \
    "</smses>" > "$f"
  t_write=$(date +%s%N)     # after the last write has returned
  for _ in $(seq 400); do
    [[ $(wc -l < "$NOTES") -gt $before ]] && break; sleep 0.01
  done
  t_alert=$(tail -n1 "$NOTES" | sed 's/.*"t": \([0-9]*\).*/\1/')
  ms=$(( (t_alert - t_write) / 1000000 ))
  lat+=("$ms")
  echo "run $i: last write -> alert ${ms} ms"
  sleep 1
done
sorted=$(printf '%s\n' "${lat[@]}" | sort -n)
echo "latency ms: min $(head -n1 <<<"$sorted") median $(sed -n "$(( (N + 1) / 2 ))p" <<<"$sorted") max $(tail -n1 <<<"$sorted") (n=$N)"

sleep 2
echo "RSS after $N alerts: $(rss)"
s0=$(switches); sleep "$IDLE_SECS"; s1=$(switches)
d=$(delta "$s0" "$s1")
echo "idle wake-ups: $d context switches in ${IDLE_SECS} s ($(awk "BEGIN {printf \"%.1f\", $d / $IDLE_SECS}")/s), all threads"
for t in /proc/"$DAEMON"/task/*; do
  printf '  thread %-28s %s switches total\n' "$(cat "$t/comm")" \
    "$(awk '/ctxt_switches/ {s += $2} END {print s}' "$t/status")"
done
echo "idle RSS at the end: $(rss)"
kill -TERM "$DAEMON"; wait "$DAEMON" && echo "daemon stopped cleanly on SIGTERM"
