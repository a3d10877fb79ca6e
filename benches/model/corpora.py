#!/usr/bin/env python3
"""Writes the training and held-out sets of dunwatch's shipped text model from the public
corpora in ../shared/data whose licences allow shipping what is derived from them
(../shared/research/learning.md): UCI SMS Spam Collection (free, cite the authors), Mishra &
Soni smishing (CC BY 4.0), SmishX (MIT), Nagato-Sakura zh-TW (Apache-2.0) and the FBS spam set
of CCS'20 (no licence file; the authors ask to cite the paper, which rules/text-model.tsv
does). telecom_fraud_texts_8 (research institutions only) and mudou_spam (no licence) are
never read here: they only measure.

usage: benches/model/corpora.py [DATA_DIR] [OUT_DIR]   (defaults: ../shared/data /tmp/dunwatch-model)

Every corpus is split in two halves by a hash of each message's template (the text without
digits, placeholders, links and spaces), so the copies of one template that differ only in a
place name or a number stay on one side: `train.jsonl` trains the model
(`cargo run --release --example train_text_model`), the held-out half is written as
labelled sets for eval/score.py (`held_*.jsonl`, label scam or other) and never trains.

Labels: 1 = a scam (smishing, fraud), 0 = not a scam (ordinary messages, codes, and
advertising, which dunwatch calls `other`). UCI's spam and FBS's IL_* (gambling, escort,
fake invoices) mix scams with plain adverts and are left out.
"""
import csv, hashlib, json, os, re, sys

data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../shared/data")
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/dunwatch-model"
os.makedirs(out, exist_ok=True)
csv.field_size_limit(10**8)

PLACEHOLDER = re.compile(r"\b(URL\w*|DIGIT|CELLPHONE|PHONE|PLACE|NAME|EMAIL|QQ|WECHAT|TELEPHONE)\b")
CJK = r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]"


def fbs_text(line):
    """FBS texts are jieba-segmented with contacts replaced by placeholders: join the words
    back (no space between Chinese characters) and drop the placeholders, which real
    messages never contain."""
    t = PLACEHOLDER.sub(" ", line.strip())
    t = re.sub(rf"(?<={CJK})\s+(?={CJK})", "", t)
    return re.sub(r"\s+", " ", t).strip()


def template(body):
    t = re.sub(r"https?://\S+|www\.\S+", "", body.lower())
    t = PLACEHOLDER.sub("", t)
    return re.sub(r"[\d\s\W_]+", "", t)


def half(body):
    return "train" if hashlib.sha1(template(body).encode()).digest()[0] % 2 == 0 else "held"


corpora = {}  # name -> list of (body, label 0/1)


def add(name, body, label):
    body = body.strip()
    if body:
        corpora.setdefault(name, []).append((body, label))


with open(os.path.join(data, "uci_sms_spam/SMSSpamCollection"), encoding="utf-8", errors="replace") as f:
    for line in f:
        label, _, text = line.rstrip("\n").partition("\t")
        if label == "ham":
            add("uci_ham", text, 0)

with open(os.path.join(data, "mishra_soni_smishing/Dataset_5971.csv"), encoding="utf-8", errors="replace") as f:
    for r in csv.DictReader(f):
        lab = r["LABEL"].strip().lower()
        add("mishra_smishing" if lab == "smishing" else "mishra_" + lab, r["TEXT"], 1 if lab == "smishing" else 0)

with open(os.path.join(data, "smishx_soups25/dataset.csv"), encoding="utf-8", errors="replace") as f:
    for r in csv.DictReader(f):
        lab = r["label"].strip().lower()
        add("smishx_" + lab, r["SMS"], 1 if lab == "smishing" else 0)

for r in json.load(open(os.path.join(data, "nagato_sakura_zh_tw/SMS_data.json"), encoding="utf-8")):
    lab = r["output"].split()[0].lower()
    add("zhtw_" + lab, r["instruction"], 1 if lab == "scam" else 0)

fbs = os.path.join(data, "fbs_sms_ccs20")
for name in sorted(os.listdir(fbs)):
    if not (name.startswith(("FR_", "AD_")) or name == "Other"):
        continue
    with open(os.path.join(fbs, name), encoding="utf-8", errors="replace") as f:
        key = "fbs_fr" if name.startswith("FR_") else "fbs_ad"
        for line in f:
            add(key, fbs_text(line), 1 if key == "fbs_fr" else 0)

train, seen = [], set()
for name, rows in sorted(corpora.items()):
    held = []
    for body, label in rows:
        side = half(body)
        if side == "held":
            held.append({"id": f"{name}:{len(held) + 1}", "body": body, "label": "scam" if label else "other"})
            continue
        key = template(body)
        if key in seen:  # one copy of a template trains
            continue
        seen.add(key)
        train.append({"corpus": name, "body": body, "label": label})
    with open(os.path.join(out, f"held_{name}.jsonl"), "w", encoding="utf-8") as f:
        for r in held:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    n_train = sum(1 for r in train if r["corpus"] == name)
    print(f"{name:22} train {n_train:6}  held {len(held):6}")
with open(os.path.join(out, "train.jsonl"), "w", encoding="utf-8") as f:
    for r in train:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"train.jsonl: {len(train)} ({sum(r['label'] for r in train)} scams)")
