//! What the engine understands beyond phrases: concepts and schemas, institutions that are
//! not lenders, what "overdue" means, risky requests from official numbers, the message's own
//! time zone, split words, and the data files that tune it. Each test is one behaviour a
//! person relies on, checked through the command line or the library as other tools use it.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{Env, stderr, stdout};
use dunwatch::classify::{Engine, Input};
use dunwatch::model::Category;

fn verdict(sender: &str, body: &str) -> dunwatch::model::Verdict {
    Engine::builtin()
        .unwrap()
        .classify(&Input::new(sender, body))
}

/// The verdict, after checking its category.
fn expect(sender: &str, body: &str, want: Category) -> dunwatch::model::Verdict {
    let v = verdict(sender, body);
    assert_eq!(v.category, want, "{body}: {v:?}");
    v
}

/// Each message gets the category, with no sender.
fn expect_each(bodies: &[&str], want: Category) {
    for body in bodies {
        expect("", body, want);
    }
}

/// Whether a `--json` verdict carries a reason of this rule.
fn has_reason(v: &serde_json::Value, rule: &str) -> bool {
    v["reasons"]
        .as_array()
        .is_some_and(|rs| rs.iter().any(|r| r["rule"] == rule))
}

fn rules_of(v: &dunwatch::model::Verdict) -> Vec<&str> {
    v.reasons.iter().map(|r| r.rule.as_str()).collect()
}

#[test]
fn an_official_number_does_not_excuse_a_request_to_add_a_qq_specialist() {
    let v = expect(
        "95384",
        "【微众银行】您的微粒贷已逾期，请添加QQ 12345678 联系专员协商还款",
        Category::Scam,
    );
    let forged = v
        .reasons
        .iter()
        .find(|r| r.rule == "sender.official_but_risky")
        .unwrap_or_else(|| panic!("{v:?}"));
    assert!(forged.description.contains("伪造"), "{forged:?}");
    // The same notice without the request is what it says it is.
    expect(
        "95384",
        "【微众银行】您的微粒贷借款已逾期3天，请登录微信“微粒贷”还款，如已还款请忽略。",
        Category::Overdue,
    );
}

#[test]
fn a_conditional_warning_before_the_due_date_is_a_reminder_not_an_overdue_notice() {
    expect(
        "",
        "【招商银行】您的信用卡本期账单1280.50元，请于25日前还款，逾期将影响信用记录。",
        Category::Reminder,
    );
    expect(
        "",
        "【招商银行】您的信用卡已逾期5天，逾期将影响信用记录，请尽快还款。",
        Category::Overdue,
    );
}

#[test]
fn a_library_book_overdue_is_not_a_debt() {
    expect(
        "",
        "【市图书馆】您借阅的图书《活着》已逾期3天，请尽快归还，逾期将暂停借阅权限。",
        Category::Other,
    );
}

#[test]
fn a_utility_or_insurance_office_demanding_action_at_a_foreign_link_is_a_scam() {
    expect(
        "",
        "【医保局】您的医保账户已失效将被取消报销资格，请于12月12日前打开 www.yb-gx.top 更新医保凭证",
        Category::Scam,
    );
    expect(
        "13900001111",
        "【国家电网】您的电费已欠费，将于今日停电，请立即登录 95598-pay.cc 缴纳",
        Category::Scam,
    );
    // The carrier's own reminder, from its own number, is not.
    let v = verdict(
        "10086",
        "【中国移动】您的话费余额不足10元，为避免停机请及时充值，可登录中国移动App缴费。",
    );
    assert_ne!(v.category, Category::Scam, "{v:?}");
}

#[test]
fn a_confirmed_charge_with_a_mobile_to_call_is_a_scam_and_a_bank_alert_is_not() {
    let v = expect(
        "",
        "您尾号1234的银行卡于12月1日在某商城消费8800.00元已确认，如非本人操作请致电 13800001234 取消。",
        Category::Scam,
    );
    assert!(rules_of(&v).contains(&"scam.charge_call_back"), "{v:?}");
    expect(
        "95588",
        "【工商银行】您尾号1234卡12月1日消费8800.00元，余额3200.00元。如非本人操作请致电95588。",
        Category::Other,
    );
}

#[test]
fn threats_to_involve_a_child_school_or_employer_are_harassment_without_collection_words() {
    for body in [
        "明天就去你孩子学校找你，让全校都知道",
        "把你身份证照片发到网上，让所有人都看到",
        "We will escalate this to your employer today.",
    ] {
        let v = verdict("", body);
        assert_eq!(v.category, Category::Harassment, "{body}: {v:?}");
    }
    // A friend's message about a mother is not.
    expect(
        "",
        "Tell your mom I said hi, see you at school tomorrow",
        Category::Other,
    );
}

#[test]
fn an_anti_fraud_warning_that_quotes_scam_words_does_not_alert() {
    let v = verdict(
        "96110",
        "【反诈中心】警惕冒充客服以“账户冻结、注销校园贷”为由要求点击链接、转账的诈骗短信，凡是要求转到安全账户的都是诈骗。",
    );
    assert_ne!(v.category, Category::Scam, "{v:?}");
}

#[test]
fn a_schema_reason_shows_the_words_of_each_part() {
    let v = verdict(
        "",
        "您尾号1234的银行卡于12月1日在某商城消费8800.00元已确认，如非本人操作请致电 13800001234 取消。",
    );
    let r = v
        .reasons
        .iter()
        .find(|r| r.rule == "scam.charge_call_back")
        .unwrap();
    for part in ["8800.00元", "如非本人", "13800001234"] {
        assert!(
            r.evidence.contains(part),
            "{part} missing in {:?}",
            r.evidence
        );
    }
}

#[test]
fn night_is_judged_in_the_message_own_offset_whatever_the_computer_zone() {
    let line = |ts: &str| {
        format!(
            "{}\n",
            serde_json::json!({"id": ts, "sender": "13800001234",
                "body": "你欠的钱到底什么时候还？再不还款就上门", "ts": ts})
        )
    };
    let input = line("2026-11-18T10:15:00+08:00") + &line("2026-11-18T23:40:00+08:00");
    let mut outputs = Vec::new();
    for tz in ["UTC", "Asia/Shanghai", "America/New_York"] {
        let env = Env::new();
        let mut child = env
            .cmd()
            .env("TZ", tz)
            .arg("classify")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let lines: Vec<serde_json::Value> = stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let night: Vec<bool> = lines.iter().map(|v| has_reason(v, "time.night")).collect();
        assert_eq!(night, [false, true], "TZ={tz}: {lines:?}");
        outputs.push(stdout(&out));
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]), "{outputs:?}");
}

#[test]
fn check_takes_a_time_and_gives_the_same_verdict_as_classify() {
    let env = Env::new();
    let body = "你欠的钱到底什么时候还？再不还款就上门";
    let out = env
        .cmd()
        .env("TZ", "UTC")
        .args([
            "check",
            "--json",
            "--sender",
            "13800001234",
            "--time",
            "2026-11-18T23:40:00+08:00",
            body,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert!(has_reason(&v, "time.night"), "{v}");
    let bad = env.run(&["check", "--time", "tomorrow", body]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("RFC 3339"), "{}", stderr(&bad));
}

#[test]
fn ordinary_spaces_between_words_are_not_split_words_but_a_split_watched_word_is() {
    let v = verdict(
        "106980095508",
        "【广发银行】您尾号1234信用卡分期已受理，本金 人民币2790.00元，12月5日 到期",
    );
    assert!(!rules_of(&v).contains(&"text.split_words"), "{v:?}");
    let v = verdict("", "你的欠款已逾期，催 收部门将依法处理，请立即还款");
    let r = v
        .reasons
        .iter()
        .find(|r| r.rule == "text.split_words")
        .unwrap_or_else(|| panic!("{v:?}"));
    assert_eq!(r.evidence, "催 收");
}

#[test]
fn taiwan_and_hong_kong_mobiles_count_as_personal_numbers() {
    use dunwatch::classify::sender::{SenderKind, classify_sender};
    assert_eq!(classify_sender("0912345678"), SenderKind::PersonalMobile);
    assert_eq!(
        classify_sender("+852 6123 4567"),
        SenderKind::PersonalMobile
    );
    expect(
        "0912345678",
        "【中國信託】您的信用卡已逾期未繳，請立即撥打專員電話處理",
        Category::Scam,
    );
}

#[test]
fn a_user_file_can_switch_a_shipped_rule_off_and_retune_the_engine() {
    let env = Env::new();
    let rules = env.user_rules();
    let body = "我是房东，这次房租打到我爱人的工商银行卡里吧";
    let before = env.run(&["check", "--json", body]);
    let v: serde_json::Value = serde_json::from_str(stdout(&before).trim()).unwrap();
    assert_eq!(v["category"], "scam", "{v}");
    std::fs::write(
        rules.join("mine.toml"),
        "[[rule]]\nid = \"scam.pay_other_account\"\nenabled = false\n\n\
         [engine.time]\nnight_from = 20\n",
    )
    .unwrap();
    let after = env.run(&["check", "--json", body]);
    let v: serde_json::Value = serde_json::from_str(stdout(&after).trim()).unwrap();
    assert_eq!(v["category"], "other", "{v}");
    let out = env.run(&[
        "check",
        "--json",
        "--sender",
        "13800001234",
        "--time",
        "2026-11-18T20:30:00+08:00",
        "你欠的钱到底什么时候还？再不还款就上门",
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert!(
        has_reason(&v, "time.night"),
        "night_from = 20 should make 20:30 night: {v}"
    );
}

#[test]
fn a_schema_naming_an_unknown_concept_or_an_unknown_engine_key_is_an_error_with_its_file() {
    let env = Env::new();
    let rules = env.user_rules();
    std::fs::write(
        rules.join("typo.toml"),
        "[[rule]]\nid = \"user.meta\"\nall = [\"alarn\"]\nweights = { scam = 1.0 }\n",
    )
    .unwrap();
    let out = env.run(&["rules", "check"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("typo.toml") && stderr(&out).contains("\"alarn\""),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        rules.join("typo.toml"),
        "[[rule]]\nid = \"user.p\"\npatterns = ['{nosuch}欠']\nweights = { scam = 1.0 }\n",
    )
    .unwrap();
    let out = env.run(&["rules", "check"]);
    assert!(
        stderr(&out).contains("typo.toml:3") && stderr(&out).contains("{nosuch}"),
        "{}",
        stderr(&out)
    );
    std::fs::write(rules.join("typo.toml"), "[engine.link]\nraw_ipp = 3.0\n").unwrap();
    let out = env.run(&["rules", "check"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("raw_ipp"), "{}", stderr(&out));
}

#[test]
fn a_link_to_an_app_package_is_a_scam() {
    expect(
        "",
        "张三看这个：http://cdn.example-pics.cc/photos2026.apk",
        Category::Scam,
    );
}

#[test]
fn a_request_to_confirm_an_account_or_delivery_at_an_unknown_link_is_a_scam() {
    expect_each(
        &[
            "TD Bank: we now need to confirm some of your account information: https://qi-lv.top/F0i",
            "US POSTAL: Your package has reached our sorting center. Update your address to confirm delivery: https://dik.si/postal",
            "Your Netflix subscription could not be renewed. Update your payment details: netflix-billing.help",
            "We have identified unusual activity on your online banking. Log in via the secure link http:/95.141.32.7:81/default.aspx",
        ],
        Category::Scam,
    );
    // The brand's own link is not.
    expect(
        "",
        "Your UPS package has shipped. Track it at https://www.ups.com/track",
        Category::Other,
    );
}

#[test]
fn carriers_and_banks_of_taiwan_and_abroad_are_checked_against_their_own_links() {
    expect(
        "",
        "【中華電信】您本期帳單逾期未繳，將於今日停話，請點擊 cht-pay.top 繳費",
        Category::Scam,
    );
    expect(
        "",
        "【台灣大哥大】您的點數即將到期，請點擊 twm-point.cc 兌換好禮",
        Category::Scam,
    );
    expect(
        "",
        "您的信用卡於今日消費 NT$28,000 元，如非本人交易請撥 02-8888-1234",
        Category::Scam,
    );
    let v = verdict(
        "",
        "BankOfAmerica Alert 137943. Please follow http://bit.do/cgjK and re-activate",
    );
    assert_eq!(v.category, Category::Scam, "{v:?}");
    assert_eq!(v.lender.as_deref(), Some("bofa"), "{v:?}");
}

#[test]
fn holding_the_family_numbers_or_knowing_the_child_school_is_harassment() {
    expect_each(
        &[
            "你老婆的电话我们也有了，你自己看着办",
            "你不还钱是吧？你孩子在哪个学校我们清楚得很",
            "今天不还，就给你爸妈和你老婆打电话，让他们知道你干的好事",
            "再不接电话，我们就把你的事发到你们村的群里",
            "We are sending our field agents to your home and workplace tomorrow regarding your unpaid loan",
            "Pay now or face the consequences",
        ],
        Category::Harassment,
    );
    expect_each(
        &[
            "你爸妈的地址我已经有了，礼物明天寄到",
            "把你的照片发到群里吧，大家都想看",
        ],
        Category::Other,
    );
}

#[test]
fn a_fake_police_call_that_accuses_you_of_fraud_is_not_taken_for_an_anti_fraud_warning() {
    expect(
        "",
        "您好，这里是市公安局，您名下的电话卡涉嫌发送诈骗短信，将在2小时内停用，请按9转人工",
        Category::Scam,
    );
    expect(
        "",
        "【反诈中心提醒】凡是自称公检法要求转账到安全账户的都是诈骗，请勿轻信",
        Category::Other,
    );
    expect(
        "",
        "警方提示：不法分子冒充客服，以账户冻结为由诱骗转账，请提高警惕",
        Category::Other,
    );
}

#[test]
fn an_official_number_that_links_to_another_site_vouches_for_nothing() {
    let v = expect(
        "10086",
        "【中国移动】您的积分8600分即将清零，可兑换86元话费，请登录 http://jf-10086.top/dh 兑换。",
        Category::Scam,
    );
    let forged = v
        .reasons
        .iter()
        .find(|r| r.rule == "sender.official_but_foreign_link")
        .unwrap_or_else(|| panic!("{v:?}"));
    assert!(forged.description.contains("伪造"), "{forged:?}");
    // The carrier's own site from its own number is what it says it is.
    let v = verdict(
        "10086",
        "【中国移动】您的积分8600分即将清零，可兑换86元话费，请登录 http://www.10086.cn/jf 兑换。",
    );
    assert_ne!(v.category, Category::Scam, "{v:?}");
}

#[test]
fn telling_someone_else_about_a_persons_debt_is_harassment() {
    let v = expect(
        "+2348012345678",
        "Good day, we write to inform you that your colleague has an outstanding loan balance with our company and listed you as his guarantor. Tell him to call us.",
        Category::Harassment,
    );
    assert!(
        rules_of(&v).contains(&"harassment.en_disclose_debt"),
        "{v:?}"
    );
}

#[test]
fn past_due_in_other_words_is_an_overdue_notice_and_a_rule_about_late_payment_is_not() {
    expect_each(
        &[
            "【某某消费金融】截止到3月5日，您的第3期款项至今未还，请及时还款，否则将影响您的征信。",
            "Following our letters about your arrears of £640, please contact the rent team this week.",
            "Your instalment is late again: it was due on the 1st. Please pay today.",
        ],
        Category::Overdue,
    );
    // "If overdue you must pay…" in Traditional writing is a rule, not a notice.
    expect(
        "",
        "【某某貸】借款已撥付至您的帳戶，每月15日還款，逾期需繳納違約金，請準時還款。",
        Category::Reminder,
    );
    expect("", "Your rent of $900 is due tomorrow.", Category::Reminder);
}

#[test]
fn a_prize_to_claim_by_calling_a_number_is_a_scam_in_english_too() {
    expect_each(
        &[
            "URGENT! Your mobile number has been awarded a £2000 prize. Call 09012345678 to claim.",
            "U've been selected for a free cruise for two. Dial 08712345678 now to claim your prize.",
        ],
        Category::Scam,
    );
    expect(
        "",
        "We won the match! Call me at 07700900123 tonight.",
        Category::Other,
    );
}

#[test]
fn a_traffic_notice_that_sends_you_to_the_official_app_is_not_a_scam() {
    let v = verdict(
        "",
        "您的车辆于3月1日在某某路口有违反禁止标线指示的交通违法行为，首次违法可申请免予罚款处罚，请通过交管12123 App或支付宝城市服务处理。",
    );
    assert_ne!(v.category, Category::Scam, "{v:?}");
}

#[test]
fn a_collectors_notice_in_english_is_read_as_overdue_in_its_usual_wordings() {
    expect_each(
        &[
            "This is an attempt to collect a debt. Please call 1-800-555-0100 about your account ending 1234.",
            "Your balance of $320 remains unpaid. Please make a payment today.",
            "Your loan is now in default. Contact us to arrange a payment plan.",
            "Your card payment due on 3/1 has not been received, and a late fee has been applied.",
        ],
        Category::Overdue,
    );
    // Saying a payment is coming is not a notice that it is late.
    expect("", "Your order has not been shipped yet.", Category::Other);
}

#[test]
fn saying_your_family_was_already_contacted_with_a_menace_is_harassment_without_a_debt_word() {
    expect_each(
        &[
            "我们已经联系了你的家人和你公司领导，你自己看着办",
            "We have already contacted your employer. You can't hide.",
            "等着坐牢吧，我们已经报警了",
        ],
        Category::Harassment,
    );
    expect("", "我已经通知了你的家人，晚上一起吃饭", Category::Other);
}

#[test]
fn did_you_attempt_this_purchase_with_a_number_to_call_is_a_scam() {
    expect(
        "",
        "Did you attempt a purchase of $899.99 at Walmart? Reply YES or NO. If not, call 1-888-555-0123",
        Category::Scam,
    );
}

#[test]
fn taiwan_bank_wordings_of_amount_due_and_past_due_are_read_as_reminder_and_overdue() {
    expect(
        "",
        "【某某銀行】您的信用卡本期應繳金額NT$5,230，繳款截止日為12/15，請準時繳款。",
        Category::Reminder,
    );
    expect(
        "",
        "【某某銀行】您尚有應繳款項未繳，已逾繳款期限，請儘速繳納以免產生違約金。",
        Category::Overdue,
    );
}

#[test]
fn a_transit_card_top_up_failure_with_a_foreign_link_is_a_scam() {
    expect(
        "",
        "【八達通】你的八達通自動增值失敗，請立即更新：octopus-hk.top",
        Category::Scam,
    );
}

#[test]
fn an_english_notice_of_a_scheduled_instalment_is_a_reminder() {
    expect_each(
        &[
            "Friendly reminder: your loan payment is scheduled for 12/1.",
            "This is a reminder that your installment of $200 will be debited on 5th Dec.",
            "Upcoming payment: $120 on Dec 3 for your loan.",
        ],
        Category::Reminder,
    );
}

#[test]
fn a_card_statement_stays_a_reminder_with_its_if_unpaid_warning_or_its_instalment_offer() {
    expect_each(
        &[
            "【某某银行】您的信用卡本期账单人民币欠款1794.00元，到期还款日为5月30日。如未及时还款，您的逾期信息将被报送至征信系统。如您已还款，请忽略。",
            "您尾号1234信用卡本期账单人民币8006.49，请于07月28日前还款。温馨提示：账单可分12期办理，回FQ办理。-某某信用卡",
        ],
        Category::Reminder,
    );
}

#[test]
fn a_threat_to_make_a_debt_go_viral_or_to_have_the_family_repay_it_is_harassment() {
    expect_each(
        &[
            "Settle by noon or this goes viral to all your contacts",
            "Pay by 5pm or your photos go viral",
            "我们会通知你父母和你老婆，让他们帮你还",
        ],
        Category::Harassment,
    );
    // A friend's video that is going viral threatens nobody.
    expect(
        "",
        "my cat video is going viral haha, you have to see it today",
        Category::Other,
    );
}

#[test]
fn prize_flight_and_bank_device_stories_are_scams_whatever_link_follows() {
    expect_each(
        &[
            "您被选中为奔跑吧兄弟场外节目组为您奉上笔记本一部请点查看幸运码",
            "尊敬的旅客您预订的航班因机械故障无法正常起飞请及时联系客服办理退改票注退改票补偿误机费",
            "尊敬的工行用户您的网上银行将于次日失效请及时用手机登入进行实名补录",
            "U-S-P-S ID 88160 / Your item will not be shipped. https://qi.lv/Bsj",
        ],
        Category::Scam,
    );
    expect("", "恭喜你被选为本月优秀员工", Category::Other);
}

#[test]
fn past_the_repayment_date_and_a_defaulted_loan_are_overdue_and_a_crew_for_money_is_harassment() {
    expect(
        "",
        "【某某贷】您的借款已过还款期，应还金额1180元。请于2天之内完成还款。",
        Category::Overdue,
    );
    expect(
        "",
        "Dear member, you have defaulted your loan by KSh 7,650. Kindly clear the arrears.",
        Category::Overdue,
    );
    // Cantonese loan-shark threats name no one: a demand for money and the crew that comes.
    expect("", "今日六點前還錢,否則即刻出隊", Category::Harassment);
}

#[test]
fn a_banks_bill_with_a_link_to_its_own_site_is_a_reminder_and_a_lookalike_still_a_scam() {
    expect(
        "",
        "【建设银行】您的信用卡本期账单已出，应还1234元，到期还款日12月5日，详情请访问 ccb.com",
        Category::Reminder,
    );
    let v = expect(
        "",
        "【建设银行】您的信用卡已被冻结，请登录 ccb-jiedong.com 解冻",
        Category::Scam,
    );
    assert!(rules_of(&v).contains(&"link.lookalike"), "{v:?}");
}

#[test]
fn abuse_arrest_threats_and_calling_every_contact_are_harassment_but_a_defaulter_notice_is_not() {
    expect_each(
        &[
            "You are a cheater. Shameless fellow, pay the money today",
            "We will file an FIR against you today and police will come to your house",
            "我们已经掌握你全部通讯录，再不还款就挨个打电话",
            "你这种老赖就该死，赶紧还钱",
        ],
        Category::Harassment,
    );
    // "Defaulter" is the lender's word for the account, not a name it calls you.
    expect(
        "",
        "Defaulter 1st Notice: Dear member, you have defaulted your loan by KSh 7,650. Kindly clear the arrears.",
        Category::Overdue,
    );
}

#[test]
fn a_bill_or_past_due_notice_with_a_pay_link_is_no_scam_for_the_link_alone() {
    // Genuine billers link to their own sites, most of which the registry cannot know.
    expect(
        "",
        "Hi, just a reminder that your payment of $120 is due on 15 June. Pay online at example.com.",
        Category::Reminder,
    );
    expect(
        "",
        "Reminder: your account is 30 days past due. Please pay $85.00 at example.com or call us.",
        Category::Overdue,
    );
}

#[test]
fn a_named_bank_with_an_alarm_and_a_number_nobody_vouches_for_is_a_scam() {
    // The registry knows no numbers for these banks: a number in the text cannot be
    // confirmed as theirs, and a bank sends you to the number on your card.
    let v = expect(
        "",
        "Your Bank of America account has been suspended. Call us immediately at 1-800-000-0000",
        Category::Scam,
    );
    assert!(rules_of(&v).contains(&"scam.alarm_and_channel"), "{v:?}");
    // A number written with the letter o for a zero is still that number.
    expect(
        "",
        "Important message from Wells Fargo: Account temporary locked. Call us at (855) 8O8-4781.",
        Category::Scam,
    );
}

#[test]
fn a_notice_giving_the_institutions_own_hotline_beside_a_local_number_is_no_scam() {
    let v = verdict(
        "",
        "【社保卡中心】您的社保卡已制作完成，请携带身份证到网点领取和启用。咨询电话：12333、0571-88000000",
    );
    assert_ne!(v.category, Category::Scam, "{v:?}");
}

#[test]
fn padding_words_with_extra_spaces_does_not_hide_a_phishing_text() {
    expect(
        "",
        "Hello,Someone   tried   to   log   into   your   Instagram   account.   Confirm   your   identity:   http://mbltext.com/owu",
        Category::Scam,
    );
}

#[test]
fn points_for_cash_a_lost_phone_found_and_guaranteed_profits_are_scams_without_a_link() {
    expect_each(
        &[
            "尊敬的建行用户您的账户已满10000积分可兑换2980元现金请登录手机银行网址查询兑换逾期失效建设银行",
            "您好，您丢失的iPhone设备已成功定位，详情请登录官网查看 apple",
            "投资理财，高回报，稳赚不赔，导师带你赚钱",
            "Your computer has been infected with a virus. Call Microsoft support at 1-800-000-0000",
        ],
        Category::Scam,
    );
    // A shop's points for a voucher are marketing, not a scam.
    let v = verdict("", "会员到店积分兑换50元现金券，详询门店");
    assert_ne!(v.category, Category::Scam, "{v:?}");
}

#[test]
fn a_prize_claimed_by_sending_your_details_and_a_link_without_its_dots_are_scams() {
    expect_each(
        &[
            "THIS MOBILE NUMBER HAS GAINED THE SUM US$250,000.00, FOR DETAIL SEND YOUR NAME, ADDRESS AND AGE TO claims-desk@outlook.com",
            "We have noticed unusual activity on your online banking. Log in via the secure link http:owly/aB3dE to avoid suspension",
            "We tried to make a delivery to you today but were unable to do so, please call 07700900123 to re-schedule.",
        ],
        Category::Scam,
    );
    // A friend sending their own details asks nothing of you.
    expect(
        "",
        "Send your name and address when you can, I'll post the invitation",
        Category::Other,
    );
}

#[test]
fn an_opt_out_line_does_not_make_a_card_payment_due_marketing() {
    expect(
        "",
        "Your card payment of $35.00 is due in 3 days. Reply STOP to opt out.",
        Category::Reminder,
    );
    expect(
        "",
        "Your credit card payment was missed. Pay the minimum due of $35 now to avoid a late fee.",
        Category::Overdue,
    );
}

#[test]
fn a_payment_service_own_checkout_link_is_no_phishing_and_a_lookalike_of_it_is() {
    let v = verdict(
        "",
        "Your Acme Radio subscription has been cancelled. Reactivate anytime: https://billing.stripe.com/p/session/abc123",
    );
    assert_ne!(v.category, Category::Scam, "{:?}", rules_of(&v));
    expect(
        "",
        "PayPal: your account has been limited. Restore access at paypal-resolution-center.com/login",
        Category::Scam,
    );
}

#[test]
fn a_small_billers_past_due_invoice_with_its_own_mobile_is_an_overdue_notice() {
    let v = expect(
        "",
        "Dear customer, invoice INV-2026-014 for PKR 5,200 is past due. Please clear the outstanding balance to avoid disconnection. Contact +92 300 0000000 for help.",
        Category::Overdue,
    );
    assert!(
        !rules_of(&v).iter().any(|r| r.starts_with("scam.")),
        "{:?}",
        rules_of(&v)
    );
}

#[test]
fn hi_mum_my_phone_broke_this_is_my_new_number_is_a_scam_opener_and_other_news_from_a_child_is_not()
{
    expect_each(
        &[
            "Hi dad, this is my new number. My phone doesn't turn on anymore so text me on this one.",
            "妈，我手机掉水里了，这是我的新号码，旧号别打了",
        ],
        Category::Scam,
    );
    expect(
        "",
        "Hi mum, I'll be home late tonight, my phone is almost out of battery",
        Category::Other,
    );
}
