#!/usr/bin/env python3
"""Writes the same N messages in every export format dunwatch reads, for benches/formats.sh.
usage: gen_formats.py OUTDIR N
Texts are a mix of ordinary, reminder, overdue and scam-like messages in Chinese and English,
written for this benchmark (no real data)."""
import csv, io, json, os, random, sqlite3, sys, zipfile, quopri

out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
rnd = random.Random(7)
TEXTS = [
    "您的验证码是{n}，5分钟内有效，请勿泄露。",
    "【某某银行】您尾号{n4}的信用卡本期账单已出，应还金额{amt}元，到期还款日为下月5日。",
    "【微众银行】您的微粒贷借款已逾期{d}天，请尽快还款，以免影响征信。",
    "【京东金融】您的白条已逾期，点击 jd-baitiao.cc/{n4} 处理，否则上报征信。",
    "你好，明天下午三点开会，记得带材料。",
    "Your parcel {n4} is out for delivery today.",
    "FINAL NOTICE: your account is {d} days past due. Pay ${amt} now.",
    "再不还钱就把你的事告诉你家人和同事，今天必须处理！",
    "您的快递已到达菜鸟驿站，取件码{n4}。",
    "温馨提示：您的借款将于3天后到期，请按时还款。",
]
SENDERS = ["95384", "10690000000", "+8613800138000", "95588", "17088886666", "+15555550123"]
base = 1_700_000_000_000
msgs = []
for i in range(n):
    t = rnd.choice(TEXTS).format(n=rnd.randint(100000, 999999), n4=rnd.randint(1000, 9999),
                                 amt=rnd.randint(100, 9999), d=rnd.randint(1, 90))
    msgs.append({"addr": rnd.choice(SENDERS), "ts": base + i * 60_000 + rnd.randint(0, 999) // 1000 * 1000,
                 "type": 1 if rnd.random() < 0.85 else 2, "body": t + f" #{i}"})

def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("\n", "&#10;")

with open(f"{out}/superbackup.xml", "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<allsms count="%d">\n' % n)
    for m in msgs:
        f.write(f'\t<sms address="{m["addr"]}" time="" date="{m["ts"]}" type="{m["type"]}" body="{esc(m["body"])}" read="1" service_center="" name="" />\n')
    f.write("</allsms>\n")

def ndjson_lines():
    for i, m in enumerate(msgs):
        yield json.dumps({"_id": str(i), "address": m["addr"], "date": str(m["ts"]), "type": str(m["type"]),
                          "body": m["body"], "read": "1"}, ensure_ascii=False) + "\n"

with open(f"{out}/messages.ndjson", "w") as f:
    f.writelines(ndjson_lines())
with zipfile.ZipFile(f"{out}/sms-ie.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("messages.ndjson", "".join(ndjson_lines()))
with open(f"{out}/messages.json", "w") as f:
    json.dump([{"from": m["addr"], "content": m["body"], "timestamp": m["ts"]} for m in msgs], f, ensure_ascii=False)

with open(f"{out}/messages.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["address", "date", "type", "body"])
    for m in msgs:
        w.writerow([m["addr"], m["ts"], m["type"], m["body"]])

import datetime as dt
tz = dt.timezone(dt.timedelta(hours=8))
with open(f"{out}/sms.vmsg", "wb") as f:
    for m in msgs:
        qp = quopri.encodestring(m["body"].encode()).replace(b"=\n", b"=\r\n")
        date = dt.datetime.fromtimestamp(m["ts"] / 1000, tz).strftime("%Y/%m/%d %H:%M:%S")
        box = "INBOX" if m["type"] == 1 else "SENDBOX"
        f.write(f"BEGIN:VMSG\r\nVERSION: 1.1\r\nBEGIN:VCARD\r\nTEL:{m['addr']}\r\nEND:VCARD\r\nBEGIN:VBODY\r\nX-BOX:{box}\r\nDate:{date}\r\nSubject;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:".encode()
                + qp + b"\r\nEND:VBODY\r\nEND:VMSG\r\n")

db = f"{out}/mmssms.db"
if os.path.exists(db):
    os.remove(db)
c = sqlite3.connect(db)
c.execute("CREATE TABLE sms(_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, date INTEGER, type INTEGER, body TEXT)")
c.executemany("INSERT INTO sms(address, date, type, body) VALUES (?,?,?,?)", [(m["addr"], m["ts"], m["type"], m["body"]) for m in msgs])
c.commit(); c.close()

db = f"{out}/sms.db"
if os.path.exists(db):
    os.remove(db)
c = sqlite3.connect(db)
c.execute("CREATE TABLE handle(ROWID INTEGER PRIMARY KEY, id TEXT)")
c.execute("CREATE TABLE message(ROWID INTEGER PRIMARY KEY, text TEXT, attributedBody BLOB, handle_id INTEGER, date INTEGER, is_from_me INTEGER)")
c.executemany("INSERT INTO handle(ROWID, id) VALUES (?,?)", list(enumerate(SENDERS, 1)))
c.executemany("INSERT INTO message(text, handle_id, date, is_from_me) VALUES (?,?,?,?)",
              [(m["body"], SENDERS.index(m["addr"]) + 1, (m["ts"] // 1000 - 978307200) * 1_000_000_000, int(m["type"] == 2)) for m in msgs])
c.commit(); c.close()
