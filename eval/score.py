#!/usr/bin/env python3
"""Scores dunwatch's verdicts on labelled JSON Lines sets, the way the held-out sets are
scored: macro-F1 over the five categories, scam and harassment recall, and false alerts
(messages labelled reminder or other that got an alerting category: scam, overdue,
harassment).

usage: eval/score.py [--bin target/release/dunwatch] [--errors N] SET.jsonl...

Each line needs "body" and "label"; "sender" is used when present. The verdicts come from
`dunwatch classify` (no database, no history). `--errors` lists wrong verdicts, but never
for a file named test*.jsonl: the test half is only scored.
"""
import argparse, collections, json, os, subprocess, sys

CATS = ["scam", "overdue", "harassment", "reminder", "other"]
ALERT = {"scam", "overdue", "harassment"}


def verdicts(binary, rows):
    lines = "".join(
        json.dumps({"id": str(i), "sender": r.get("sender") or "", "body": r["body"]}, ensure_ascii=False) + "\n"
        for i, r in enumerate(rows)
    )
    env = dict(os.environ)
    env.setdefault("DUNWATCH_CONFIG_DIR", "/nonexistent-dunwatch-eval")
    p = subprocess.run([binary, "classify"], input=lines.encode(), capture_output=True, env=env)
    out = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    if len(out) != len(rows):
        sys.exit(f"classify returned {len(out)} verdicts for {len(rows)} messages: {p.stderr.decode()}")
    return out


def score(rows, out):
    conf = collections.Counter((r["label"], v["category"]) for r, v in zip(rows, out))
    present = [c for c in CATS if any(r["label"] == c for r in rows)]
    f1s, per = [], {}
    for c in CATS:
        tp = conf[(c, c)]
        fp = sum(conf[(o, c)] for o in CATS if o != c)
        fn = sum(conf[(c, o)] for o in CATS if o != c)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[c] = (tp + fn, p, r, f)
        if c in present:
            f1s.append(f)
    non_alert = [v for r, v in zip(rows, out) if r["label"] not in ALERT]
    false_alerts = sum(1 for v in non_alert if v["category"] in ALERT)
    return {
        "n": len(rows),
        "macro_f1": sum(f1s) / len(f1s) if f1s else 0.0,
        "per": per,
        "false_alerts": (false_alerts, len(non_alert)),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "dunwatch"))
    ap.add_argument("--errors", type=int, default=0)
    ap.add_argument("--by-lang", action="store_true", help="also score each language (the `lang` field) apart")
    ap.add_argument("sets", nargs="+")
    a = ap.parse_args()
    print(f"{'set':28} {'n':>5} {'macroF1':>8} {'scamR':>6} {'harR':>6} {'ovdR':>6} {'remR':>6} {'false alerts':>14}")
    def line(name, rows, out):
        s = score(rows, out)
        fa, na = s["false_alerts"]
        rec = lambda c: f"{s['per'][c][2]:.2f}" if s["per"][c][0] else "  -"
        print(f"{name:28} {s['n']:>5} {s['macro_f1']:>8.3f} {rec('scam'):>6} {rec('harassment'):>6} {rec('overdue'):>6} {rec('reminder'):>6} {fa:>5}/{na:<4} {100 * fa / na if na else 0:4.1f}%")

    for path in a.sets:
        rows = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
        out = verdicts(a.bin, rows)
        line(os.path.basename(path), rows, out)
        langs = sorted({r["lang"] for r in rows if "lang" in r})
        if a.by_lang and langs:
            for lang in langs:
                pairs = [(r, v) for r, v in zip(rows, out) if r.get("lang") == lang]
                line(f"  {lang}", [p[0] for p in pairs], [p[1] for p in pairs])
        if a.errors and not os.path.basename(path).startswith("test"):
            shown = 0
            for r, v in zip(rows, out):
                if r["label"] != v["category"] and shown < a.errors:
                    shown += 1
                    rules = ",".join(x["rule"] for x in v["reasons"])
                    print(f"  {r['label']:>10} -> {v['category']:<10} [{r.get('sender','')}] {r['body'][:150]!r}  ({rules})")


main()
