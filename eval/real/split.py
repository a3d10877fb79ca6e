#!/usr/bin/env python3
"""Builds the real-text evaluation set from the collected files in eval/real/raw/.

Every message keeps its source. The set is split BY SOURCE into two halves before any rule
is tuned on it: a source group (a web site, a repository) goes wholly to `dev` or wholly to
`test`, decided by a hash of its name alone, so the split never depends on the engine and a
group never changes sides when more messages are collected.

  dev.jsonl   read, and tune on
  test.jsonl  only scored (eval/score.py refuses to list its errors)

usage: eval/real/split.py            (writes eval/real/dev.jsonl and eval/real/test.jsonl)
"""
import collections, glob, hashlib, json, os, sys, unicodedata

here = os.path.dirname(os.path.abspath(__file__))
LABELS = {"scam", "overdue", "harassment", "reminder", "other"}


def key(body):
    # Near-duplicates (spacing, width, punctuation) count once.
    t = unicodedata.normalize("NFKC", body).lower()
    return "".join(c for c in t if c.isalnum())


def half(group):
    return "dev" if hashlib.sha256(group.encode()).digest()[0] % 2 == 0 else "test"


rows, seen, problems = [], set(), []
for path in sorted(glob.glob(os.path.join(here, "raw", "*.jsonl"))):
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{name}:{n}: not JSON: {e}")
                continue
            if r.get("label") not in LABELS or not r.get("body") or not r.get("source_group"):
                problems.append(f"{name}:{n}: needs body, label and source_group")
                continue
            k = key(r["body"])
            if k in seen:
                continue
            seen.add(k)
            r["id"] = f"{name[:-6]}:{n}"
            rows.append(r)

out = {"dev": [], "test": []}
for r in rows:
    out[half(r["source_group"])].append(r)
for h, items in out.items():
    with open(os.path.join(here, f"{h}.jsonl"), "w", encoding="utf-8") as f:
        for r in items:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")

table = collections.Counter((half(r["source_group"]), r["label"]) for r in rows)
langs = collections.Counter((half(r["source_group"]), r.get("lang", "?")) for r in rows)
groups = {h: len({r["source_group"] for r in items}) for h, items in out.items()}
print(f"{len(rows)} messages, {len({r['source_group'] for r in rows})} source groups")
print(f"{'':10} " + " ".join(f"{l:>10}" for l in sorted(LABELS)) + "      all  groups")
for h in ("dev", "test"):
    print(f"{h:10} " + " ".join(f"{table[(h, l)]:>10}" for l in sorted(LABELS)) + f" {len(out[h]):>8} {groups[h]:>7}")
print("languages:", dict(sorted(langs.items())))
for p in problems:
    print("skipped", p, file=sys.stderr)
