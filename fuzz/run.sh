#!/usr/bin/env bash
# Runs the cargo-fuzz targets for a given time each, seeded from the test fixtures and the
# real sample files.
#
# usage: fuzz/run.sh TARGET|all SECONDS [JOBS]
#   targets: sbr_xml superbackup_xml vmsg ndjson json csv sms_ie_zip ios_sms_db
#            android_mmssms_db any_file rule_pack classify_text
#   env: SAMPLES=dir of extra seed files (default ../shared/samples beside the project)
#        FUZZ_SANITIZER=none|address (default none; address also checks the C code of
#        SQLite and is about 3 times slower)
#        FUZZ_NO_BUILD=1 to run the binaries already built
#        FUZZ_RUNS=N to stop after N executions if that comes before SECONDS
#        FUZZ_TIMEOUT=S seconds one input may take before it counts as a hang (default 10;
#        300 for rule_pack, whose inputs each build a whole engine)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
# Seeds are copied into fuzz/corpus/TARGET at run time (not committed). Crashes land in
# fuzz/artifacts/TARGET; the execution count of each run is printed at the end and kept in
# fuzz/logs/TARGET-TIME.log. Reproduce a crash: cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-…
set -euo pipefail
cd "$(dirname "$0")"
fuzz=$PWD
root=$(cd .. && pwd)
samples=${SAMPLES:-$root/../../shared/samples}
[[ -d $samples ]] || samples=/work/shared/samples
sanitizer=${FUZZ_SANITIZER:-none}
all=(sbr_xml superbackup_xml vmsg ndjson json csv sms_ie_zip ios_sms_db android_mmssms_db
     any_file rule_pack classify_text)

target=${1:?usage: fuzz/run.sh TARGET|all SECONDS}
seconds=${2:?usage: fuzz/run.sh TARGET|all SECONDS}

seed() {
  local t=$1 dir=$fuzz/corpus/$1
  mkdir -p "$dir"
  case $t in
    sbr_xml)
      cp -n "$root"/tests/fixtures/sbr/*.xml "$dir"/ 2>/dev/null || true
      [[ -d $samples ]] && find "$samples" -name '*.xml' -size -1M -exec cp -n {} "$dir"/ \; ;;
    any_file)
      cp -n "$root"/tests/fixtures/sbr/*.xml "$dir"/ 2>/dev/null || true
      [[ -d $samples ]] && find "$samples" -type f ! -name 'SOURCES.txt' ! -name '*.md' -size -2M \
        -exec sh -c 'cp -n "$1" "$2/$(echo "$1" | tr / _)"' _ {} "$dir" \; ;;
    superbackup_xml)
      cp -n "$root"/tests/fixtures/formats/supersbackup_allsms.xml "$dir"/ ;;
    vmsg)
      cp -n "$root"/tests/fixtures/formats/*.vmsg "$dir"/
      [[ -d $samples ]] && find "$samples" -name '*.vm*g' -exec cp -n {} "$dir"/ \; ;;
    ndjson)
      cp -n "$root"/tests/fixtures/formats/*.ndjson "$root"/tests/fixtures/formats/*.jsonl "$dir"/
      unzip -p "$root"/tests/fixtures/formats/messages-2024-03-06.zip messages.ndjson >"$dir/sms-ie.ndjson" ;;
    json)
      # JSON documents: the JSON Lines fixtures as arrays, and one message alone.
      for f in "$root"/tests/fixtures/formats/*.jsonl "$root"/tests/fixtures/formats/*.ndjson; do
        python3 -c 'import json,sys; rows=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; print(json.dumps(rows, ensure_ascii=False)); open(sys.argv[2],"w").write(json.dumps(rows[0], ensure_ascii=False))' \
          "$f" "$dir/one-$(basename "$f").json" >"$dir/$(basename "$f").json"
      done ;;
    csv)
      cp -n "$root"/tests/fixtures/formats/*.csv "$dir"/ ;;
    sms_ie_zip)
      cp -n "$root"/tests/fixtures/formats/*.zip "$dir"/ ;;
    ios_sms_db|android_mmssms_db)
      # The databases rebuilt with 512-byte pages, so that they fit in -max_len.
      local pattern=mmssms; [[ $t == ios_sms_db ]] && pattern=sms_ios
      find "$root"/tests/fixtures/formats "$samples" -name '*.db' 2>/dev/null | grep -E "$pattern|$([[ $t == ios_sms_db ]] && echo ios13 || echo mmssms)" |
        while read -r db; do
          python3 - "$db" "$dir/$(basename "$db")" <<'PY'
import shutil, sqlite3, sys
shutil.copy(sys.argv[1], sys.argv[2])
c = sqlite3.connect(sys.argv[2])
c.execute("PRAGMA journal_mode=DELETE")
c.execute("PRAGMA page_size=512")
c.execute("VACUUM")
c.close()
PY
        done ;;
    rule_pack)
      cp -n "$root"/rules/*.toml "$dir"/ ;;
    classify_text)
      # One message per seed: "sender\nbody" from the labelled research examples.
      python3 - "$root/tests/fixtures/labelled/research_examples.jsonl" "$dir" <<'PY'
import json, sys, os
src, out = sys.argv[1], sys.argv[2]
for line in open(src, encoding="utf-8"):
    m = json.loads(line)
    with open(os.path.join(out, m["id"]), "w", encoding="utf-8") as f:
        f.write(m.get("sender", "") + "\n" + m["body"])
PY
      ;;
    *) echo "unknown target $t (known: ${all[*]})" >&2; exit 2 ;;
  esac
}

run() {
  local t=$1
  seed "$t"
  mkdir -p "$fuzz/artifacts/$t" "$fuzz/logs"
  local log=$fuzz/logs/$t-$(date -u +%Y%m%dT%H%M%S).log
  local runs=()
  [[ -n ${FUZZ_RUNS:-} ]] && runs=(-runs="$FUZZ_RUNS")
  local max_len=65536
  [[ $t == *_db ]] && max_len=262144
  # A rule pack that overrides the concepts recompiles every rule's patterns: about 3 s per
  # input in this debug-assertions build (0.2 s in release), more on a loaded machine. Ten
  # seconds would call that a hang: at nice 19 on a busy machine six inputs took 15-87 s of
  # wall time, and each took 2.5 s of CPU when rerun alone.
  local timeout=${FUZZ_TIMEOUT:-10}
  [[ $t == rule_pack ]] && timeout=${FUZZ_TIMEOUT:-300}
  echo "== $t for ${seconds}s (sanitizer $sanitizer)"
  # -timeout: one input taking longer is a hang. -rss_limit_mb/-malloc_limit_mb: a memory
  # blow-up is a crash. -max_len: real backups are large, but structure bugs show in 64 KiB
  # (databases, made of pages, get 256 KiB).
  set +e
  "$bin_dir/$t" "$fuzz/corpus/$t" \
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=1536 -malloc_limit_mb=1024 \
    -max_len="$max_len" -print_final_stats=1 "${runs[@]}" \
    -artifact_prefix="$fuzz/artifacts/$t/" >"$log" 2>&1
  local rc=$?
  set -e
  local execs
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
  echo "$t: exit $rc, executions ${execs:-?}, artifacts: $(ls "$fuzz/artifacts/$t" | wc -l)"
  return $rc
}

# Built once, then the binaries run: editing the sources while a run goes on changes nothing.
if [[ ${FUZZ_NO_BUILD:-} != 1 ]]; then
  cargo +nightly fuzz build --sanitizer "$sanitizer" --debug-assertions
fi
bin_dir=$fuzz/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release

if [[ $target == all ]]; then
  status=0
  for t in "${all[@]}"; do run "$t" || status=1; done
  exit $status
fi
run "$target"
