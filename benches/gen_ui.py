#!/usr/bin/env python3
"""Writes one SMS Backup & Restore XML backup of N messages for benches/ui.sh: a long history
with a realistic shape rather than benches/gen_formats.py's six senders.
usage: gen_ui.py OUT.xml N

About a quarter of the messages are judged to concern debt (reminders, overdue notices,
scams, harassment); the rest are codes, parcels, bills and people. Senders follow a long
tail: a few bank, carrier and code numbers send tens of thousands of messages each (the
message page lists a sender's others), a thousand more send a handful. One message a minute,
newest last. Texts were written for this benchmark (no real data)."""
import random, sys

out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(11)

# (weight, sender pool, template). A pool is a list of numbers or a (prefix, count) range.
OFFICIAL_WEBANK = ["95384"]
OFFICIAL_BANK = ["95588", "95533", "95555"]
CARRIER = ["10086", "10010"]
CODES = [f"106{rnd.randint(10**8, 10**9 - 1)}" for _ in range(400)]
COLLECTORS = [f"1069{rnd.randint(10**7, 10**8 - 1)}" for _ in range(300)]
SCAMMERS = [f"170{rnd.randint(10**7, 10**8 - 1)}" for _ in range(2000)]
PEOPLE = [f"+86 13{rnd.randint(10**8, 10**9 - 1)}" for _ in range(3000)]

KINDS = [
    (30, CODES, "【{app}】您的验证码是{n}，5分钟内有效，请勿泄露。"),
    (12, CARRIER, "【中国移动】尊敬的客户，您本月话费{amt}元，当前余额{n4}元。"),
    (10, OFFICIAL_BANK, "【银行】您尾号{n4}的储蓄卡{mm}月{dd}日消费支出人民币{amt}.00元。"),
    (12, PEOPLE, "{chat}"),
    (8, CODES, "【菜鸟驿站】您的快递已到达，取件码{n4}，请及时领取。"),
    (6, OFFICIAL_BANK, "【银行】您尾号{n4}的信用卡本期账单已出，应还金额{amt}元，到期还款日为{mm}月{dd}日。"),
    (5, OFFICIAL_WEBANK, "【微众银行】您的微粒贷借款将于3天后到期，应还{amt}元，请按时还款。"),
    (4, OFFICIAL_WEBANK, "【微众银行】您的微粒贷借款已逾期{d}天，请尽快还款，以免影响征信。"),
    (4, COLLECTORS, "【京东金融】您的白条已逾期{d}天，欠款{amt}元，请于今日内处理，否则将影响您的征信。"),
    (2, SCAMMERS, "【京东金融】您的白条已逾期，点击 jd-baitiao.cc/{n4} 处理，否则上报征信。"),
    (2, SCAMMERS, "【微众银行】您的账户存在异常，请添加专员QQ{n}办理注销，逾期将影响征信。"),
    (2, COLLECTORS, "再不还钱就把你的事告诉你家人和同事，今天必须处理！欠款{amt}元。"),
    (1, COLLECTORS, "FINAL NOTICE: your account is {d} days past due. Pay ${amt} now."),
    (2, PEOPLE, "你好，明天下午三点开会，记得带材料。"),
]
WEIGHTS = [k[0] for k in KINDS]
APPS = ["淘宝", "支付宝", "美团", "滴滴出行", "京东"]
CHATS = ["晚上一起吃饭吗？", "到了给我打电话", "好的，收到", "周末回家吗", "文件发你邮箱了",
         "OK see you at 7", "明天几点出发？", "帮我带一份早餐"]

# Zipf-like: the first numbers of a pool send far more than the last.
def pick(pool):
    return pool[min(int(rnd.paretovariate(1.2)) - 1, len(pool) - 1)]

def esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;"))

base = 1_640_966_400_000  # 2022-01-01 00:00 +08:00
with open(out, "w", encoding="utf-8") as f:
    f.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
    f.write(f'<smses count="{n}" backup_set="00000000-0000-4000-8000-000000000001" '
            f'backup_date="{base + n * 60_000}" type="full">\n')
    kinds = rnd.choices(KINDS, WEIGHTS, k=n)
    for i, (_, pool, template) in enumerate(kinds):
        body = template.format(
            app=rnd.choice(APPS), n=rnd.randint(100000, 999999), n4=rnd.randint(1000, 9999),
            amt=rnd.randint(100, 9999), d=rnd.randint(1, 90), mm=rnd.randint(1, 12),
            dd=rnd.randint(1, 28), chat=rnd.choice(CHATS)) + f" #{i}"
        sender = pick(pool)
        sent = pool is PEOPLE and rnd.random() < 0.4
        ts = base + i * 60_000 + rnd.randint(0, 59) * 1000
        f.write(f'  <sms protocol="0" address="{sender}" date="{ts}" type="{2 if sent else 1}" '
                f'subject="null" body="{esc(body)}" toa="null" sc_toa="null" service_center="null" '
                f'read="1" status="-1" locked="0" date_sent="0" sub_id="1" readable_date="" '
                f'contact_name="(Unknown)" />\n')
    f.write("</smses>\n")
