"""Fake but plausible personal data (petitioners and register clerks).

Every character here must be encodable in cp950, because the petition export is cp950; the module
checks that at import so a careless edit fails loudly instead of producing an unreadable file.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

# (surname, romanisation as Taiwanese passports spell it)
SURNAMES = [
    ("陳", "chen"), ("林", "lin"), ("黃", "huang"), ("張", "chang"), ("李", "lee"), ("王", "wang"),
    ("吳", "wu"), ("劉", "liu"), ("蔡", "tsai"), ("楊", "yang"), ("許", "hsu"), ("鄭", "cheng"),
    ("謝", "hsieh"), ("郭", "kuo"), ("洪", "hung"), ("曾", "tseng"), ("邱", "chiu"), ("廖", "liao"),
    ("賴", "lai"), ("周", "chou"), ("徐", "hsu"), ("蘇", "su"), ("葉", "yeh"), ("莊", "chuang"),
    ("呂", "lu"), ("江", "chiang"), ("何", "ho"), ("蕭", "hsiao"), ("羅", "lo"), ("高", "kao"),
    ("簡", "chien"), ("潘", "pan"), ("朱", "chu"), ("鍾", "chung"), ("彭", "peng"), ("游", "yu"),
    ("詹", "chan"), ("胡", "hu"), ("施", "shih"), ("沈", "shen"), ("余", "yu"), ("趙", "chao"),
    ("盧", "lu"), ("梁", "liang"), ("顏", "yen"), ("柯", "ko"), ("孫", "sun"), ("魏", "wei"),
    ("翁", "weng"), ("戴", "tai"), ("范", "fan"), ("宋", "sung"), ("方", "fang"), ("杜", "tu"),
    ("歐陽", "ouyang"), ("張簡", "changchien"),
]
# Weighted toward the commonest surnames, as a real register would be.
_SURNAME_WEIGHTS = [11, 8, 6, 5, 5, 4, 4, 3, 3, 3, 2.5, 2.5, 2, 2, 2, 2, 2, 2, 2, 2] + [1.2] * 34 + [0.2, 0.2]

GIVEN_CHARS = (
    "家怡俊宏志明淑芬美玲雅婷惠如建國文華佳穎冠宇承翰柏廷欣妤子涵宗翔偉哲信賢麗珠秀英玉蘭嘉慧"
    "詩品睿宥辰彥霖筱琪郁庭瑋凱仁德正豪俐萱瑜蓁維鈞立誠書豐雯靜怡君慶祥春梅阿金水木火土清源"
    "碧霞月娥素貞錦秋桂香政達振興耀勳裕民榮茂啟銘韋伶姿璇昱安勝傑峰崇育"
)
_ROMAN_SYLLABLES = [
    "chia", "yi", "chun", "hung", "chih", "ming", "shu", "fen", "mei", "ling", "ya", "ting", "hui",
    "ju", "chien", "kuo", "wen", "hua", "ying", "kuan", "yu", "cheng", "han", "po", "hsin", "tzu",
    "tsung", "hsiang", "wei", "che", "hsien", "li", "chu", "lan", "jui", "yen", "lin", "chi", "kai",
    "jen", "te", "hao", "hsuan", "chen",
]
EMAIL_DOMAINS = ["mail.example.tw", "example.com.tw", "example.net.tw", "mail.example.com"]

# Keelung's seven districts with streets that exist there, so the district can be parsed back out.
DISTRICT_STREETS = {
    "中正區": ["中正路", "義一路", "義二路", "正信路", "中船路", "北寧路", "祥豐街", "新豐街", "環港街"],
    "七堵區": ["明德一路", "明德二路", "福五街", "東新街", "實踐路", "百福路", "光明路", "永平路"],
    "暖暖區": ["暖暖街", "源遠路", "八堵路", "碇內街", "過港路", "東勢街", "暖東街"],
    "仁愛區": ["愛一路", "愛二路", "愛三路", "愛四路", "仁一路", "仁二路", "孝一路", "南榮路", "崇文街"],
    "中山區": ["中山一路", "中山二路", "中華路", "復興路", "西定路", "文化路", "協和街", "中和路"],
    "安樂區": ["安樂路一段", "安樂路二段", "基金一路", "麥金路", "武崙街", "樂一路", "定邦路", "安一路"],
    "信義區": ["信一路", "信二路", "東信路", "深溪路", "義七路", "信義路", "東明路", "仁壽街"],
}
DISTRICTS = list(DISTRICT_STREETS)


@dataclass(frozen=True)
class Petitioner:
    name: str
    phone: str
    email: str
    address: str


def person_name(rng: random.Random) -> str:
    surname, _ = rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    if rng.random() < 0.08:
        return surname + rng.choice(GIVEN_CHARS)
    return surname + rng.choice(GIVEN_CHARS) + rng.choice(GIVEN_CHARS)


def phone_number(rng: random.Random) -> str:
    if rng.random() < 0.72:
        return f"09{rng.randrange(10**8):08d}"
    return f"02-24{rng.randrange(10**6):06d}"


def email_address(rng: random.Random) -> str:
    _, roman = rng.choice(SURNAMES)
    first = rng.choice(_ROMAN_SYLLABLES) + (rng.choice(_ROMAN_SYLLABLES) if rng.random() < 0.6 else "")
    style = rng.random()
    if style < 0.4:
        local = f"{first}.{roman}"
    elif style < 0.75:
        local = f"{roman}{first[:4]}{rng.randrange(1950, 2010)}"
    else:
        local = f"{first}{rng.randrange(100, 9999)}"
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def keelung_address(rng: random.Random) -> str:
    district = rng.choice(DISTRICTS)
    street = rng.choice(DISTRICT_STREETS[district])
    lane = f"{rng.randrange(1, 300)}巷" if rng.random() < 0.35 else ""
    floor = f"{rng.randrange(2, 13)}樓" if rng.random() < 0.45 else ""
    return f"基隆市{district}{street}{lane}{rng.randrange(1, 400)}號{floor}"


def petitioner(rng: random.Random) -> Petitioner:
    # Callers often leave contact fields empty: the hotline does not insist on them.
    return Petitioner(
        name=person_name(rng),
        phone=phone_number(rng) if rng.random() < 0.9 else "",
        email=email_address(rng) if rng.random() < 0.62 else "",
        address=keelung_address(rng) if rng.random() < 0.95 else "",
    )


def _check_cp950() -> None:
    text = "".join(s for s, _ in SURNAMES) + GIVEN_CHARS + "".join(DISTRICTS)
    text += "".join("".join(v) for v in DISTRICT_STREETS.values()) + "基隆市巷號樓"
    text.encode("cp950")  # raises UnicodeEncodeError on a character Big5 cannot hold


_check_cp950()
