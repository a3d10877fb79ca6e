#!/usr/bin/env python3
"""Does learning from the person's corrections help? An experiment on real messages.

Takes the Traditional Chinese messages of ../shared/data/nagato_sakura_zh_tw (Apache-2.0, see
its SOURCES.txt; never copied into the repository): its scams, and its normal messages
(Normal + Captcha, as benches/eval/to_jsonl.py reads them). Each family is sorted by the
SHA-256 of the text and split: the first N are "marked", the others are the "rest". The
advertisements are never marked and all go to the rest, as a check that the model does not
call every commercial text a scam.

For each N (30 and 20 by default):
  1. the marked messages are written as an SMS Backup & Restore file and imported with
     `dunwatch --db X scan` into a fresh database, then corrected one by one with
     `dunwatch --db X mark ID --as scam|other` (which recounts what is learned);
  2. `dunwatch --db X learn --json` says which categories are active;
  3. the rest is scored with `dunwatch classify` (the rules alone) and with
     `dunwatch classify --db X` (the rules and, once the engine uses it, the learned signal);
  4. examples/learn_experiment.rs builds the model in-process from the marked part, checks
     that the counts and the model stored in X are the same, and judges each message of the
     rest; its figures are the model's own, and "rules, or the model when it is sure" is
     what the learned signal could do at most if it were decisive.
Prints scam recall and false alerts (a normal message or an ad not called `other`) on the rest.

usage: benches/learn/experiment.py [--data DIR] [--bin DUNWATCH] [--work DIR] [--runs 30,20]
                                   [--no-example]
Defaults: ../shared/data beside the repository, target/release/dunwatch, /tmp/dunwatch-learn.
Needs `cargo build --release` first; runs `cargo run --release --example learn_experiment`.
"""
import argparse, hashlib, json, os, shutil, subprocess, sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load(data):
    folder = os.path.join(data, "nagato_sakura_zh_tw")
    if not os.path.exists(os.path.join(folder, "SOURCES.txt")):
        sys.exit(f"{folder}: no SOURCES.txt; is --data the shared data folder?")
    items = json.load(open(os.path.join(folder, "SMS_data.json"), encoding="utf-8"))
    fam = {"scam": [], "normal": [], "ad": []}
    for it in items:
        text = (it.get("input") or it.get("instruction") or "").strip()
        lab = str(it.get("output", "")).strip().lower()
        if not text:
            continue
        if lab.startswith("scam") or lab.startswith("0"):
            fam["scam"].append(text)
        elif lab.startswith(("normal", "captcha")) or lab[:1] in ("2", "3"):
            fam["normal"].append(text)
        elif lab.startswith("advertise") or lab[:1] == "1":
            fam["ad"].append(text)
    # Each text once, in the order of its hash: the split depends on nothing else.
    return {k: sorted(set(v), key=sha) for k, v in fam.items()}


def sbr_escape(s):
    out = []
    for ch in s:
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"':
            out.append("&quot;")
        elif ch == "'":
            out.append("&apos;")
        elif ch in "\n\r\t":
            out.append(f"&#{ord(ch)};")
        elif ord(ch) > 0xFFFF:
            v = ord(ch) - 0x10000
            out.append(f"&#{0xD800 + (v >> 10)};&#{0xDC00 + (v & 0x3FF)};")
        else:
            out.append(ch)
    return "".join(out)


# 2026-11-02 10:00 +08:00, one message a minute: daytime, so the hour weighs nothing.
BASE_MS = 1_793_584_800_000


def write_sbr(path, msgs):
    with open(path, "w", encoding="utf-8") as f:
        f.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        f.write(f'<smses count="{len(msgs)}">\n')
        for m in msgs:
            f.write(
                f'  <sms protocol="0" address="{m["sender"]}" date="{m["ts_ms"]}" type="1" '
                f'subject="null" body="{sbr_escape(m["body"])}" toa="null" sc_toa="null" '
                f'service_center="null" read="1" status="-1" locked="0" date_sent="0" '
                f'readable_date="x" contact_name="(Unknown)" />\n'
            )
        f.write("</smses>\n")


def rfc3339(ms):
    import datetime
    tz = datetime.timezone(datetime.timedelta(hours=8))
    return datetime.datetime.fromtimestamp(ms / 1000, tz).isoformat()


def write_jsonl(path, rows, keys):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({k: r[k] for k in keys}, ensure_ascii=False) + "\n")


def run(cmd, env, stdin=None):
    p = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd[:4])}...: exit {p.returncode}\n{p.stderr}")
    return p.stdout


def figures(rest, category_of):
    """scam recall, false alerts on normal messages, on ads."""
    def count(fam, pred):
        rows = [r for r in rest if r["family"] == fam]
        return sum(1 for r in rows if pred(category_of(r))), len(rows)
    return (
        count("scam", lambda c: c == "scam"),
        count("normal", lambda c: c != "other"),
        count("ad", lambda c: c != "other"),
    )


def fmt(fig):
    (a, n), (b, m), (c, k) = fig
    pct = lambda x, y: f"{100 * x / y:.0f}%" if y else "-"
    return f"scams caught {a}/{n} ({pct(a, n)}), false alerts normal {b}/{m}, ads {c}/{k}"


def experiment(n, fam, args):
    work = os.path.join(args.work, f"n{n}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = dict(os.environ)
    env.update(
        DUNWATCH_DATA_DIR=os.path.join(work, "data"),
        DUNWATCH_CONFIG_DIR=os.path.join(work, "config"),
        HOME=os.path.join(work, "home"),
    )
    env.pop("DUNWATCH_LOG", None)
    db = os.path.join(work, "learn.db")
    marked, rest = [], []
    for family, label in (("scam", "scam"), ("normal", "other")):
        for i, text in enumerate(fam[family]):
            (marked if i < n else rest).append({"family": family, "label": label, "body": text})
    rest += [{"family": "ad", "label": "other", "body": t} for t in fam["ad"]]
    for i, m in enumerate(marked):
        m.update(id=f"m{i + 1}", sender=f"0911{i + 1:06d}", ts_ms=BASE_MS + i * 60_000)
    # Other numbers for the rest: a history-aware engine must not recognise the sender.
    for i, r in enumerate(rest):
        ms = BASE_MS + 86_400_000 + i * 60_000
        r.update(id=f"r{i + 1}", sender=f"0922{i + 1:06d}", ts_ms=ms, ts=rfc3339(ms))
    write_sbr(os.path.join(work, "marked.xml"), marked)
    write_jsonl(os.path.join(work, "marked.jsonl"), marked, ["id", "body", "label"])
    write_jsonl(os.path.join(work, "rest.jsonl"), rest, ["id", "sender", "body", "ts"])
    write_jsonl(os.path.join(work, "rest_labelled.jsonl"), rest, ["id", "body", "label"])

    bin_ = args.bin
    run([bin_, "--db", db, "scan", os.path.join(work, "marked.xml")], env)
    ids = {}
    for line in run([bin_, "--db", db, "history", "--all", "--json", "--limit", "0"], env).splitlines():
        e = json.loads(line)
        ids[e["sender"]] = e["id"]
    if len(ids) != len(marked):
        sys.exit(f"imported {len(ids)} messages of {len(marked)}")
    for m in marked:
        run([bin_, "--db", db, "mark", str(ids[m["sender"]]), "--as", m["label"]], env)
    learned = json.loads(run([bin_, "--db", db, "learn", "--json"], env))
    active = [c["category"] for c in learned["categories"] if c["active"]]

    rest_in = open(os.path.join(work, "rest.jsonl"), encoding="utf-8").read()
    def verdicts(extra):
        out = run([bin_] + extra + ["classify"], env, stdin=rest_in).splitlines()
        return {v["id"]: v["category"] for v in map(json.loads, out)}
    plain = verdicts([])
    with_db = verdicts(["--db", db])

    print(f"\n== {n} scams + {n} normal marked; rest: "
          f"{sum(r['family'] == 'scam' for r in rest)} scams, "
          f"{sum(r['family'] == 'normal' for r in rest)} normal, "
          f"{sum(r['family'] == 'ad' for r in rest)} ads; active: {', '.join(active) or 'none'}")
    print(f"  classify (rules)            {fmt(figures(rest, lambda r: plain[r['id']]))}")
    print(f"  classify --db (with learned) {fmt(figures(rest, lambda r: with_db[r['id']]))}")
    if with_db == plain:
        print("  (classify --db gave the same verdicts: the engine does not use the learned model yet)")

    if args.no_example:
        return
    judged_path = os.path.join(work, "judged.jsonl")
    ex = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", "learn_experiment", "--",
         os.path.join(work, "marked.jsonl"), os.path.join(work, "rest_labelled.jsonl"), db,
         judged_path],
        cwd=REPO, capture_output=True, text=True)
    if ex.returncode != 0:
        sys.exit(f"learn_experiment: exit {ex.returncode}\n{ex.stderr}")
    for line in ex.stdout.splitlines():
        print(f"  example: {line}")
    judged, prob = {}, {}
    for line in open(judged_path, encoding="utf-8"):
        j = json.loads(line)
        judged[j["id"]] = j["judged"]
        prob[j["id"]] = j["probability"] or 0.0
    model = lambda r: judged[r["id"]] or "none"
    print(f"  model alone (none = no call) {fmt(figures(rest, lambda r: 'other' if model(r) == 'none' else model(r)))}")
    print(f"  model abstained: scams {sum(model(r) == 'none' for r in rest if r['family'] == 'scam')}, "
          f"normal {sum(model(r) == 'none' for r in rest if r['family'] == 'normal')}, "
          f"ads {sum(model(r) == 'none' for r in rest if r['family'] == 'ad')}")
    either = lambda r: judged[r["id"]] or plain[r["id"]]
    print(f"  rules, or the model if sure  {fmt(figures(rest, either))}")
    # How sure the model must be (min_probability) against what it catches and wrongly calls.
    for t in (0.9, 0.99, 0.999):
        at = lambda r: "scam" if judged[r["id"]] == "scam" and prob[r["id"]] >= t else "other"
        print(f"  model says scam at p >= {t:<5} {fmt(figures(rest, at))}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--bin", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")), "release", "dunwatch"))
    ap.add_argument("--work", default="/tmp/dunwatch-learn")
    ap.add_argument("--runs", default="30,20")
    ap.add_argument("--no-example", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin}: build it first (cargo build --release)")
    fam = load(args.data)
    print(f"nagato_sakura_zh_tw: {len(fam['scam'])} scams, {len(fam['normal'])} normal "
          f"(Normal + Captcha), {len(fam['ad'])} ads")
    for n in (int(x) for x in args.runs.split(",")):
        experiment(n, fam, args)


if __name__ == "__main__":
    main()
