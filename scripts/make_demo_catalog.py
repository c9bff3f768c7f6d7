#!/usr/bin/env python3
"""Regenerate the demo catalog of the fictional city 云川市 (Yunchuan).

Everything written here is synthetic: the city, its districts, roads, departments,
companies, schools and people are invented.  Personal data (names, resident ID
numbers, mobile numbers) only appears in the closed and conditional datasets, and
the resident ID numbers use the non-existent region prefix 99 so they can never
belong to anyone.

The output is deterministic: a fixed seed drives every random choice, no wall-clock
time is read, YAML is dumped in a fixed key order and the XLSX archives carry fixed
timestamps, so two runs give byte-identical files.

Usage:  python scripts/make_demo_catalog.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import io
import itertools
import math
import random
import re
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

SEED = 20261122
# The demo's "today": dates are placed relative to it, so that a build on this day
# shows a few datasets as overdue.
DEMO_DAY = dt.date(2026, 11, 22)
REPO_ROOT = Path(__file__).resolve().parent.parent

CC_BY = {
    "name": "CC-BY-4.0",
    "title": "知识共享署名 4.0 国际许可协议",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}

OPEN_TYPE_CLASS = {
    "无条件开放": "open",
    "有条件开放": "conditional",
    "依申请开放": "conditional",
    "非开放": "closed",
    "不予开放": "closed",
}


def rng_for(label: str) -> random.Random:
    """One independent random stream per label, so datasets do not disturb each other."""
    return random.Random(f"{SEED}/{label}")


# --------------------------------------------------------------------------- site


THEMES = [
    ("transport", "交通出行", "Transport"),
    ("education", "教育文化", "Education"),
    ("health", "医疗卫生", "Health"),
    ("market", "市场监管", "Market Regulation"),
    ("environment", "生态环境", "Environment"),
    ("population", "人口", "Population"),
    ("tourism", "文化旅游", "Culture and Tourism"),
    ("weather", "气象", "Weather"),
    ("social", "社会保障", "Social Security"),
    ("housing", "城建住房", "Housing and Construction"),
    ("public-safety", "公共安全", "Public Safety"),
]

FREQUENCIES = [
    ("realtime", "实时", "Real-time", 1),
    ("daily", "每日", "Daily", 2),
    ("weekly", "每周", "Weekly", 8),
    ("monthly", "每月", "Monthly", 32),
    ("quarterly", "每季度", "Quarterly", 93),
    ("yearly", "每年", "Yearly", 366),
    ("irregular", "不定期", "Irregular", None),
]
FREQUENCY_DAYS = {fid: days for fid, _, _, days in FREQUENCIES}


def site_descriptor() -> dict:
    return {
        "title": {"zh": "云川市公共数据开放平台", "en": "Yunchuan Open Data Portal"},
        "description": {
            "zh": "云川市各部门依法向社会开放的公共数据目录，提供交通、教育、医疗、环境、"
            "气象、市场监管等领域的数据下载、字段说明与申请渠道。",
            "en": "The catalogue of public data that Yunchuan's city departments open to "
            "the public: downloads, field descriptions and application channels for transport, "
            "education, health, environment, weather, markets and more.",
        },
        "base_url": "https://data.yunchuan.gov.cn/",
        "languages": ["zh", "en"],
        "contact": {
            "name": {"zh": "云川市数据局", "en": "Yunchuan Data Bureau"},
            "email": "opendata@yunchuan.gov.cn",
            "phone": "0991-1234567",
            "address": {
                "zh": "云川市云中区人民路 16 号市政务服务中心 5 楼",
                "en": "5F, Municipal Government Service Centre, 16 Renmin Road, "
                "Yunzhong District, Yunchuan",
            },
        },
        "default_license": dict(CC_BY),
        "hide_closed": False,
        "channels": {
            "apply": {
                "url": "https://zwfw.yunchuan.gov.cn/opendata/apply",
                "email": "apply@yunchuan.gov.cn",
            },
            "feedback": {
                "url": "https://zwfw.yunchuan.gov.cn/opendata/feedback",
                "email": "feedback@yunchuan.gov.cn",
            },
            "request": {
                "url": "https://zwfw.yunchuan.gov.cn/opendata/request",
                "email": "request@yunchuan.gov.cn",
            },
            "showcase": {"url": "https://zwfw.yunchuan.gov.cn/opendata/showcase"},
            "offer": {
                "url": "https://zwfw.yunchuan.gov.cn/opendata/offer",
                "email": "offer@yunchuan.gov.cn",
            },
            "subscribe": {"url": "https://dingyue.yunchuan.gov.cn/feed-mail?feed={feed}"},
        },
        "footer": {
            "zh": "本平台数据依据《云川市公共数据管理办法》和《云川市公共数据开放实施细则》开放。",
            "en": "Data on this portal is opened under the Yunchuan Public Data Measures and the "
            "Yunchuan rules for opening public data.",
        },
        "themes": [{"id": tid, "zh": zh, "en": en} for tid, zh, en in THEMES],
        "frequencies": [
            {"id": fid, "zh": zh, "en": en, **({"days": days} if days else {})}
            for fid, zh, en, days in FREQUENCIES
        ],
    }


# --------------------------------------------------------------------- publishers


@dataclass(frozen=True)
class Publisher:
    id: str
    abbr: str  # used in 信息资源代码
    zh: str
    en: str
    phone: str


PUBLISHERS = [
    Publisher(
        "jtj", "JT", "云川市交通运输局", "Yunchuan Municipal Transport Bureau", "0991-2345678"
    ),
    Publisher("jyj", "JY", "云川市教育局", "Yunchuan Municipal Education Bureau", "0991-2418800"),
    Publisher(
        "wjw", "WJ", "云川市卫生健康委员会", "Yunchuan Municipal Health Commission", "0991-2563120"
    ),
    Publisher(
        "scjgj",
        "SJ",
        "云川市市场监督管理局",
        "Yunchuan Municipal Administration for Market Regulation",
        "0991-2637400",
    ),
    Publisher(
        "sthjj",
        "ST",
        "云川市生态环境局",
        "Yunchuan Municipal Ecology and Environment Bureau",
        "0991-2712360",
    ),
    Publisher("tjj", "TJ", "云川市统计局", "Yunchuan Municipal Statistics Bureau", "0991-2820150"),
    Publisher(
        "wlj",
        "WL",
        "云川市文化和旅游局",
        "Yunchuan Municipal Culture and Tourism Bureau",
        "0991-2936610",
    ),
    Publisher("qxj", "QX", "云川市气象局", "Yunchuan Meteorological Bureau", "0991-3041270"),
    Publisher(
        "zjj",
        "ZJ",
        "云川市住房和城乡建设局",
        "Yunchuan Municipal Housing and Urban-Rural Development Bureau",
        "0991-3158820",
    ),
    Publisher(
        "gaj", "GA", "云川市公安局", "Yunchuan Municipal Public Security Bureau", "0991-3267110"
    ),
    Publisher(
        "rsj",
        "RS",
        "云川市人力资源和社会保障局",
        "Yunchuan Municipal Human Resources and Social Security Bureau",
        "0991-3370480",
    ),
    Publisher(
        "mzj", "MZ", "云川市民政局", "Yunchuan Municipal Civil Affairs Bureau", "0991-3482930"
    ),
    Publisher(
        "ybj",
        "YB",
        "云川市医疗保障局",
        "Yunchuan Municipal Healthcare Security Bureau",
        "0991-3591650",
    ),
    Publisher(
        "zrzyj",
        "ZR",
        "云川市自然资源局",
        "Yunchuan Municipal Natural Resources Bureau",
        "0991-3615240",
    ),
    Publisher(
        "fgw",
        "FG",
        "云川市发展和改革委员会",
        "Yunchuan Municipal Development and Reform Commission",
        "0991-3720390",
    ),
]
PUBLISHER_BY_ID = {p.id: p for p in PUBLISHERS}


def publishers_descriptor() -> list[dict]:
    rng = rng_for("publishers")
    return [
        {
            "id": p.id,
            "name": {"zh": p.zh, "en": p.en},
            "code": credit_code(rng, "11", "990100", org_prefix="MB"),
            "contact": {"email": f"{p.id}@yunchuan.gov.cn", "phone": p.phone},
        }
        for p in PUBLISHERS
    ]


# ---------------------------------------------------------------------- geography


@dataclass(frozen=True)
class District:
    name: str
    en: str
    code: str
    streets: tuple[str, ...]
    towns: tuple[str, ...] = ()  # rural townships, only in the outer districts


DISTRICTS = [
    District(
        "云中区",
        "Yunzhong",
        "990102",
        ("人民街道", "鼓楼街道", "明德街道", "南门街道", "西大街街道"),
    ),
    District("川东区", "Chuandong", "990103", ("东风街道", "红旗街道", "工业园街道", "东湖街道")),
    District("新城区", "Xincheng", "990104", ("新华街道", "西环街道", "石榴街道", "团结街道")),
    District("湖滨区", "Hubin", "990105", ("湖滨街道", "柳岸街道", "青年街道", "南苑街道")),
    District("高新区", "Gaoxin", "990106", ("科技街道", "创业街道", "学府街道", "北京路街道")),
    District(
        "北山区",
        "Beishan",
        "990107",
        ("北山街道", "松林街道", "西沟镇", "杏花镇"),
        ("西沟镇", "杏花镇"),
    ),
    District(
        "南湖区", "Nanhu", "990108", ("南湖街道", "芦花街道", "白鹭街道", "柳树沟乡"), ("柳树沟乡",)
    ),
    District(
        "开发区", "Kaifa", "990109", ("开元街道", "兴业街道", "物流园街道", "石门镇"), ("石门镇",)
    ),
]
DISTRICT_BY_NAME = {d.name: d for d in DISTRICTS}
DISTRICT_NAMES = [d.name for d in DISTRICTS]

# The urban core is a road grid: north-south roads from west to east, east-west roads
# from north to south.  Grid coordinate (x, y) is the crossing of NS_ROADS[x] and EW_ROADS[y].
NS_ROADS = (
    "西环路 石榴路 友好路 新华路 解放路 建国路 云川大道 文昌路 和平路 明珠路 科技路 东风路 迎宾路 "
    "东环路"
).split()
EW_ROADS = (
    "北京路 北山路 长春路 团结路 光明路 人民路 中山路 幸福路 青年路 湖滨路 南湖路 南环路"
).split()
GRID_W, GRID_H = len(NS_ROADS), len(EW_ROADS)
LON_WEST, LAT_NORTH = 87.5012, 43.8968
DLON, DLAT = 0.0095, 0.0072  # about 760 m by 800 m between crossings

LANDMARKS = {
    (2, 1): "云川火车站",
    (3, 0): "北山森林公园",
    (10, 1): "高新区管委会",
    (12, 2): "云川大学",
    (9, 3): "云川博物馆",
    (5, 4): "市人民医院",
    (7, 4): "市图书馆",
    (12, 4): "会展中心",
    (1, 5): "新城区政府",
    (6, 5): "人民广场",
    (6, 6): "市政务服务中心",
    (11, 6): "川东商业街",
    (8, 7): "体育中心",
    (4, 8): "石榴籽广场",
    (1, 9): "客运中心",
    (7, 9): "湖滨公园",
    (2, 10): "开发区管委会",
    (11, 10): "南湖湿地公园",
}

VILLAGES = ("上庄 下河 榆树 大泉 二道湾 红星 五一 东沟 西湾 柳湾 新庄 黄土梁").split()
COMMUNITIES = (
    "幸福 和谐 康宁 丰收 阳光 翠园 锦华 友谊 光华 百花 新村 民主 胜利 育才 桃园 枫林 金桥 碧水 "
    "东苑 西苑 南苑 北苑 安居 园丁 雪莲 红柳 白杨 荷花 梧桐 春晖"
).split()


def district_at(gx: float, gy: float) -> District:
    if gy < 2.5:
        name = "北山区" if gx < 6.5 else "高新区"
    elif gy < 7.5:
        name = "新城区" if gx < 3.5 else "云中区" if gx < 9.5 else "川东区"
    else:
        name = "开发区" if gx < 4.5 else "湖滨区" if gx < 9.5 else "南湖区"
    return DISTRICT_BY_NAME[name]


def lonlat(gx: float, gy: float) -> tuple[float, float]:
    return round(LON_WEST + gx * DLON, 6), round(LAT_NORTH - gy * DLAT, 6)


def in_grid(gx: float, gy: float) -> bool:
    return 0 <= gx <= GRID_W - 1 and 0 <= gy <= GRID_H - 1


def crossing_name(ix: int, iy: int) -> str:
    return LANDMARKS.get((ix, iy)) or f"{NS_ROADS[ix]}{EW_ROADS[iy]}口"


def urban_point(rng: random.Random, district: str | None = None) -> tuple[float, float]:
    while True:
        gx, gy = rng.uniform(0, GRID_W - 1), rng.uniform(0, GRID_H - 1)
        if district is None or district_at(gx, gy).name == district:
            return round(gx, 3), round(gy, 3)


RURAL_AREAS = {  # district -> (x range, y range) of its countryside outside the grid
    "北山区": ((-2.0, 6.0), (-8.0, -0.6)),
    "南湖区": ((13.6, 18.0), (8.0, 13.0)),
    "开发区": ((-5.0, -0.6), (8.0, 12.0)),
}


def rural_point(rng: random.Random, district: str) -> tuple[float, float]:
    (x0, x1), (y0, y1) = RURAL_AREAS[district]
    return round(rng.uniform(x0, x1), 3), round(rng.uniform(y0, y1), 3)


def address_at(rng: random.Random, gx: float, gy: float) -> str:
    district = district_at(gx, gy)
    if not in_grid(gx, gy) and district.towns:
        town = district.towns[int(abs(gx * 7 + gy * 3)) % len(district.towns)]
        return f"{district.name}{town}{rng.choice(VILLAGES)}村{rng.randint(1, 260)}号"
    cx, cy = min(max(gx, 0), GRID_W - 1), min(max(gy, 0), GRID_H - 1)
    if abs(cx - round(cx)) < abs(cy - round(cy)):
        road = NS_ROADS[round(cx)]
    else:
        road = EW_ROADS[round(cy)]
    return f"{district.name}{road}{rng.randint(1, 680)}号"


def nearest_crossing(gx: float, gy: float) -> tuple[int, int]:
    return min(max(round(gx), 0), GRID_W - 1), min(max(round(gy), 0), GRID_H - 1)


# -------------------------------------------------------- synthetic identifiers


CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 character set
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(rng: random.Random, kind: str, region: str, org_prefix: str = "MA") -> str:
    """A 统一社会信用代码 with valid check characters (fictional region 99xxxx)."""
    body = org_prefix + "".join(rng.choice(CODE_CHARS) for _ in range(6))
    org_sum = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS, strict=True)
    )
    org_check = 11 - org_sum % 11
    org = body + ("X" if org_check == 10 else "0" if org_check == 11 else str(org_check))
    head = kind + region + org
    total = sum(CODE_CHARS.index(c) * w for c, w in zip(head, CREDIT_WEIGHTS, strict=True))
    return head + CODE_CHARS[(31 - total % 31) % 31]


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def resident_id_check(body: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def resident_id(rng: random.Random, region: str, birth: dt.date, female: bool) -> str:
    """An 18-character GB 11643 number with a valid check digit and the fake region 99xxxx."""
    sequence = rng.randrange(500) * 2 + (0 if female else 1)
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + resident_id_check(body)


MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 177 180 181 182 "
    "183 185 186 187 188 189 191 198 199"
).split()


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    return f"0991-{rng.randint(2, 8)}{rng.randrange(10**6):06d}"


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
)
GIVEN_MALE = "伟强磊军洋勇杰涛明超辉刚鹏飞浩斌亮建华志文俊峰波宇晨旭东海林鑫凯博成龙雷彬"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英华红梅琳燕萍雪婷慧颖倩晶月兰凤琴欣悦佳怡蕾露"


def person_name(rng: random.Random, female: bool) -> str:
    pool = GIVEN_FEMALE if female else GIVEN_MALE
    # Three-character names only: two-character ones (王华, 金鑫) turn up inside ordinary
    # words and company names, which would make leak checks on the portal noisy.
    given = rng.choice(pool) + rng.choice(pool)
    return rng.choice(SURNAMES) + given


_ZH_DIGITS = "零一二三四五六七八九"


def zh_number(n: int) -> str:
    """Chinese numerals for 1-999, as used in school names (第一百零二中学)."""
    if n < 10:
        return _ZH_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        head = "" if tens == 1 else _ZH_DIGITS[tens]
        return head + "十" + (_ZH_DIGITS[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    text = _ZH_DIGITS[hundreds] + "百"
    if rest == 0:
        return text
    if rest < 10:
        return text + "零" + _ZH_DIGITS[rest]
    tens, ones = divmod(rest, 10)
    return text + _ZH_DIGITS[tens] + "十" + (_ZH_DIGITS[ones] if ones else "")


BRAND_CHARS = (
    "恒通鑫盛华泰瑞丰达宏远安博创锦汇佳禾康润新天众源合信益嘉祥德隆昌振兴辉腾凯晟和美福峰雅星骏翔"
    "宇弘茂聚诚鼎晖"
)


def brand(rng: random.Random) -> str:
    first = rng.choice(BRAND_CHARS)
    second = rng.choice(BRAND_CHARS)
    while second == first:
        second = rng.choice(BRAND_CHARS)
    return first + second


# -------------------------------------------------------------- small helpers


def day_range(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def months(start: tuple[int, int], end: tuple[int, int]) -> Iterator[tuple[int, int]]:
    year, month = start
    while (year, month) <= end:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def weighted(rng: random.Random, options: dict[str, float]) -> str:
    return rng.choices(list(options), weights=list(options.values()))[0]


# ------------------------------------------------------------------ data model


@dataclass
class Field:
    name: str
    type: str
    title: str
    description: str | None = None
    required: bool = False
    enum: list[str] | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    sensitive: str | None = None  # kind of personal data, for the portal's classifier
    quasi_identifier: bool = False  # with others, may single a person out (group size)

    def descriptor(self) -> dict:
        out: dict = {"name": self.name, "type": self.type, "title": self.title}
        if self.description:
            out["description"] = self.description
        constraints: dict = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        if self.sensitive:
            out["sensitive"] = self.sensitive
        if self.quasi_identifier:
            out["quasi_identifier"] = True
        return out


@dataclass
class Table:
    name: str
    title: str
    fields: list[Field]
    rows: list[tuple]
    primary_key: list[str]
    fmt: str = "csv"
    description: str | None = None
    foreign_keys: list[dict] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"data/{self.name}.{self.fmt}"

    def descriptor(self) -> dict:
        out: dict = {"name": self.name, "title": self.title}
        if self.description:
            out["description"] = self.description
        out["path"] = self.path
        out["format"] = self.fmt
        if self.fmt == "csv":
            out["mediatype"] = "text/csv"
            out["encoding"] = "utf-8"
        else:
            out["mediatype"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        schema: dict = {
            "fields": [f.descriptor() for f in self.fields],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        out["schema"] = schema
        return out


def foreign_key(field_name: str, resource: str, target: str | None = None) -> dict:
    return {
        "fields": [field_name],
        "reference": {"resource": resource, "fields": [target or field_name]},
    }


@dataclass
class Dataset:
    name: str
    title: str
    title_en: str
    description: str
    description_en: str
    publisher: str
    theme: str
    keywords: list[str]
    open_type: str
    share_type: str
    frequency: str
    issued: dt.date
    modified: dt.date
    temporal: tuple[dt.date, dt.date]
    tables: list[Table]
    background: list[str]  # README paragraphs
    notes: list[str]  # README bullet points about fields and caveats
    open_conditions: str | None = None
    legal_basis: str | None = None
    share_conditions: str | None = None  # 共享条件, required for 有条件共享
    contact_name: str = "数据管理科"
    readme_extra: str = ""
    identifier: str = ""  # filled in by assign_identifiers()
    status: dict | None = None  # 数据状态 (issue 16): leave out while normal

    @property
    def access(self) -> str:
        return OPEN_TYPE_CLASS[self.open_type]

    def descriptor(self) -> dict:
        pub = PUBLISHER_BY_ID[self.publisher]
        out: dict = {
            "name": self.name,
            "identifier": self.identifier,
            "title": self.title,
            "title_en": self.title_en,
            "description": self.description,
            "description_en": self.description_en,
            "publisher": self.publisher,
            "theme": self.theme,
            "keywords": list(self.keywords),
            "open_type": self.open_type,
            "share_type": self.share_type,
            "update_frequency": self.frequency,
            "issued": self.issued.isoformat(),
            "modified": self.modified.isoformat(),
        }
        if self.access == "open":
            out["licenses"] = [dict(CC_BY)]
        out["spatial"] = "云川市"
        out["temporal"] = {
            "start": self.temporal[0].isoformat(),
            "end": self.temporal[1].isoformat(),
        }
        local = int(pub.phone[-7:]) + 1
        out["contact"] = {
            "name": self.contact_name,
            "email": f"{pub.id}-data@yunchuan.gov.cn",
            "phone": f"0991-{local}",
        }
        if self.open_conditions:
            out["open_conditions"] = self.open_conditions
        if self.share_conditions:
            out["share_conditions"] = self.share_conditions
        if self.legal_basis:
            out["legal_basis"] = self.legal_basis
        if self.status:
            out["status"] = dict(self.status)
        out["resources"] = [t.descriptor() for t in self.tables]
        return out


BUILDERS: list[Callable[[], Dataset]] = []


def dataset(builder: Callable[[], Dataset]) -> Callable[[], Dataset]:
    BUILDERS.append(builder)
    return builder


# Common field shapes.
def f_district(required: bool = True) -> Field:
    return Field(
        "district", "string", "所属区县", "云川市下辖区（含开发区、高新区）", required=required
    )


def f_address() -> Field:
    return Field("address", "string", "地址")


def f_phone(title: str = "联系电话") -> Field:
    return Field("phone", "string", title, "固定电话，格式 0991-xxxxxxx")


def f_lon() -> Field:
    return Field("lon", "number", "经度", "WGS-84 经度（度）", minimum=85, maximum=90)


def f_lat() -> Field:
    return Field("lat", "number", "纬度", "WGS-84 纬度（度）", minimum=42, maximum=46)


# ===================================================================== registries
# Entities shared by several datasets (businesses appear in the business register,
# in food sampling and in social insurance; hospitals in the directory and in the
# medical insurance settlements; schools in the school list and after-school care).


@dataclass(frozen=True)
class Business:
    code: str
    name: str
    entity_type: str
    industry: str
    district: str
    address: str
    capital: float | None
    established: dt.date
    status: str


INDUSTRY_WORDS = {
    "批发和零售业": ["商贸", "贸易", "百货", "商行", "超市"],
    "住宿和餐饮业": ["餐饮管理", "餐饮", "酒店管理", "宾馆"],
    "制造业": ["机械制造", "食品", "建材", "服装", "包装材料", "塑料制品"],
    "建筑业": ["建筑工程", "建设工程", "装饰工程", "市政工程"],
    "信息传输、软件和信息技术服务业": ["信息技术", "网络科技", "软件", "数据科技"],
    "租赁和商务服务业": ["商务咨询", "企业管理咨询", "广告", "会展服务"],
    "交通运输、仓储和邮政业": ["物流", "运输", "货运代理", "仓储"],
    "居民服务、修理和其他服务业": ["家政服务", "物业服务", "汽车维修", "保洁服务"],
    "科学研究和技术服务业": ["检测技术", "工程设计", "环保科技"],
    "农、林、牧、渔业": ["农业开发", "牧业", "林果种植"],
    "房地产业": ["房地产开发", "置业", "房产经纪"],
    "文化、体育和娱乐业": ["文化传媒", "体育发展", "影视文化"],
}
INDUSTRY_SHARE = {
    "批发和零售业": 30,
    "住宿和餐饮业": 14,
    "制造业": 7,
    "建筑业": 8,
    "信息传输、软件和信息技术服务业": 6,
    "租赁和商务服务业": 9,
    "交通运输、仓储和邮政业": 5,
    "居民服务、修理和其他服务业": 10,
    "科学研究和技术服务业": 3,
    "农、林、牧、渔业": 3,
    "房地产业": 3,
    "文化、体育和娱乐业": 2,
}
SHOP_WORDS = {
    "批发和零售业": ["便利店", "水果店", "五金店", "文具店", "粮油店", "服装店", "烟酒店"],
    "住宿和餐饮业": ["拉面馆", "烤肉店", "大盘鸡店", "馕坑店", "面包房", "火锅店", "家常菜馆"],
    "居民服务、修理和其他服务业": ["理发店", "干洗店", "手机维修部", "汽车美容店", "修鞋铺"],
    "文化、体育和娱乐业": ["茶社", "台球室", "书画店"],
}
PRODUCE = ["蔬菜", "葡萄", "苹果", "食用菌", "肉羊", "奶牛", "蜂蜜", "花卉"]


@functools.cache
def businesses() -> list[Business]:
    rng = rng_for("businesses")
    taken_names: set[str] = set()
    taken_codes: set[str] = set()
    out: list[Business] = []
    while len(out) < 3460:
        entity_type = weighted(
            rng,
            {
                "有限责任公司": 55,
                "个体工商户": 37,
                "股份有限公司": 3,
                "农民专业合作社": 3,
                "个人独资企业": 2,
            },
        )
        if entity_type == "个体工商户":
            industry = weighted(rng, {k: INDUSTRY_SHARE[k] for k in SHOP_WORDS})
        elif entity_type == "农民专业合作社":
            industry = "农、林、牧、渔业"
        else:
            industry = weighted(rng, INDUSTRY_SHARE)
        rural = entity_type == "农民专业合作社" or (
            industry == "农、林、牧、渔业" and rng.random() < 0.7
        )
        if rural:
            gx, gy = rural_point(rng, rng.choice(list(RURAL_AREAS)))
        else:
            gx, gy = urban_point(rng)
        district = district_at(gx, gy).name
        word = rng.choice(INDUSTRY_WORDS[industry])
        if entity_type == "有限责任公司":
            name, kind = f"云川{brand(rng)}{word}有限公司", "91"
        elif entity_type == "股份有限公司":
            name, kind = f"云川{brand(rng)}{word}股份有限公司", "91"
        elif entity_type == "个人独资企业":
            name, kind = f"云川市{district}{brand(rng)}{word}中心", "91"
        elif entity_type == "农民专业合作社":
            produce = rng.choice(PRODUCE)
            verb = "养殖" if produce in ("肉羊", "奶牛", "蜂蜜") else "种植"
            name, kind = f"云川市{district}{brand(rng)}{produce}{verb}专业合作社", "93"
        else:
            name, kind = f"{district}{brand(rng)}{rng.choice(SHOP_WORDS[industry])}", "92"
        if name in taken_names:
            continue
        code = credit_code(rng, kind, DISTRICT_BY_NAME[district].code)
        if code in taken_codes:
            continue
        taken_names.add(name)
        taken_codes.add(code)
        # Registrations grow over time: draw the year with weight increasing to the present.
        year = 2026 - min(int(rng.expovariate(1 / 7)), 30)
        established = random_date(
            rng, dt.date(year, 1, 1), min(dt.date(year, 12, 31), dt.date(2026, 11, 13))
        )
        status = weighted(rng, {"存续": 86, "注销": 11, "吊销": 3})
        if entity_type == "个体工商户":
            capital = None
        elif entity_type == "农民专业合作社":
            capital = float(rng.choice([30, 50, 80, 100, 150, 200, 300, 500]))
        else:
            capital = float(
                rng.choice([3, 10, 30, 50, 100, 100, 200, 300, 500, 500, 1000, 2000, 5000])
            )
            if entity_type == "股份有限公司":
                capital *= 10
        out.append(
            Business(
                code,
                name,
                entity_type,
                industry,
                district,
                address_at(rng, gx, gy),
                capital,
                established,
                status,
            )
        )
    out.sort(key=lambda b: (b.established, b.code))
    return out


@dataclass(frozen=True)
class BusinessRegister:
    published: list[Business]  # the open register's sample
    insured_employers: list[Business]  # only in the conditional social insurance data


@functools.cache
def business_register() -> BusinessRegister:
    """Split the businesses so that the conditional dataset names no company the open data shows.

    The open register is declared a sample, so leaving some companies out of it is honest, and it
    keeps every identifying value of the conditional dataset out of the published site.
    """
    rng = rng_for("business-register")
    eligible = [
        b
        for b in businesses()
        if b.entity_type in ("有限责任公司", "股份有限公司")
        and b.status == "存续"
        and b.established < dt.date(2025, 1, 1)
    ]
    chosen = {b.code for b in rng.sample(eligible, 260)}
    return BusinessRegister(
        published=[b for b in businesses() if b.code not in chosen],
        insured_employers=sorted(
            (b for b in businesses() if b.code in chosen), key=lambda b: b.code
        ),
    )


@dataclass(frozen=True)
class Institution:
    id: str
    name: str
    category: str
    grade: str
    ownership: str
    district: str
    address: str
    phone: str
    beds: int
    emergency: bool
    lon: float
    lat: float
    license_valid_until: dt.date


MAJOR_HOSPITALS = [
    # name, category, grade, ownership, beds range, grid anchor
    ("云川市人民医院", "综合医院", "三级甲等", "公立", (1800, 2400), (5.1, 4.2)),
    ("云川市中医医院", "中医医院", "三级甲等", "公立", (900, 1300), (7.3, 5.6)),
    ("云川市第二人民医院", "综合医院", "三级乙等", "公立", (1000, 1400), (11.4, 5.2)),
    ("云川市妇幼保健院", "妇幼保健院", "三级甲等", "公立", (500, 800), (4.6, 6.4)),
    ("云川市儿童医院", "专科医院", "三级甲等", "公立", (600, 900), (9.2, 4.8)),
    ("云川市第三人民医院", "专科医院", "三级乙等", "公立", (500, 700), (12.6, 8.8)),
    ("云川市肿瘤医院", "专科医院", "三级甲等", "公立", (700, 1000), (10.3, 2.2)),
    ("云川市精神卫生中心", "专科医院", "三级乙等", "公立", (400, 600), (0.8, 10.4)),
]
PRIVATE_HOSPITAL_WORDS = ["医院", "骨科医院", "眼科医院", "妇产医院", "康复医院", "口腔医院"]
OUTPATIENT_WORDS = ["门诊部", "口腔门诊部", "中医门诊部", "综合门诊部", "医疗美容门诊部"]
CLINIC_WORDS = ["诊所", "口腔诊所", "中医诊所", "内科诊所", "儿科诊所", "中西医结合诊所"]


@functools.cache
def institutions() -> list[Institution]:
    rng = rng_for("institutions")
    rows: list[tuple] = []  # (name, category, grade, ownership, beds, gx, gy)
    for name, category, grade, ownership, (lo, hi), (gx, gy) in MAJOR_HOSPITALS:
        rows.append((name, category, grade, ownership, rng.randint(lo, hi), gx, gy))
    for district in DISTRICTS:
        gx, gy = urban_point(rng, district.name)
        rows.append(
            (
                f"{district.name}人民医院",
                "综合医院",
                "二级甲等",
                "公立",
                rng.randint(300, 650),
                gx,
                gy,
            )
        )
        if district.name in ("云中区", "川东区", "新城区", "北山区"):
            gx, gy = urban_point(rng, district.name)
            rows.append(
                (
                    f"{district.name}中医医院",
                    "中医医院",
                    "二级甲等",
                    "公立",
                    rng.randint(150, 300),
                    gx,
                    gy,
                )
            )
        for street in district.streets:
            if street in district.towns:
                gx, gy = rural_point(rng, district.name)
                rows.append(
                    (
                        f"{district.name}{street}卫生院",
                        "乡镇卫生院",
                        "一级",
                        "公立",
                        rng.randint(20, 60),
                        gx,
                        gy,
                    )
                )
            else:
                gx, gy = urban_point(rng, district.name)
                rows.append(
                    (
                        f"{district.name}{street[:-2]}社区卫生服务中心",
                        "社区卫生服务中心",
                        "一级",
                        "公立",
                        rng.randint(0, 40),
                        gx,
                        gy,
                    )
                )
    taken = {r[0] for r in rows}

    def add(count: int, make: Callable[[str], tuple[str, str, str, int]]) -> None:
        added = 0
        while added < count:
            gx, gy = urban_point(rng)
            name, category, grade, beds = make(district_at(gx, gy).name)
            if name in taken:
                continue
            taken.add(name)
            rows.append((name, category, grade, "民营", beds, gx, gy))
            added += 1

    add(
        18,
        lambda _: (
            f"云川{brand(rng)}{rng.choice(PRIVATE_HOSPITAL_WORDS)}",
            "专科医院" if rng.random() < 0.6 else "综合医院",
            rng.choice(["二级乙等", "一级", "未定级"]),
            rng.randint(40, 260),
        ),
    )
    add(
        60,
        lambda _: (
            f"云川{brand(rng)}{rng.choice(OUTPATIENT_WORDS)}",
            "门诊部",
            "未定级",
            rng.choice([0, 0, 0, 5, 8, 10]),
        ),
    )
    add(
        430,
        lambda district: (f"{district}{brand(rng)}{rng.choice(CLINIC_WORDS)}", "诊所", "未定级", 0),
    )
    out = []
    for seq, (name, category, grade, ownership, beds, gx, gy) in enumerate(rows, start=1):
        district = district_at(gx, gy).name
        lon, lat = lonlat(gx, gy)
        out.append(
            Institution(
                id=f"YL{seq:04d}",
                name=name,
                category=category,
                grade=grade,
                ownership=ownership,
                district=district,
                address=address_at(rng, gx, gy),
                phone=landline(rng),
                beds=beds,
                emergency=grade.startswith(("三级", "二级"))
                and category != "专科医院"
                or name == "云川市儿童医院",
                lon=lon,
                lat=lat,
                license_valid_until=random_date(rng, dt.date(2026, 12, 1), dt.date(2031, 12, 31)),
            )
        )
    return out


@dataclass(frozen=True)
class School:
    code: str
    name: str
    level: str
    ownership: str
    district: str
    address: str
    phone: str
    founded: int
    classes: int
    students: int
    teachers: int
    campus_m2: float
    boarding: bool
    licence_until: dt.date | None


@functools.cache
def schools() -> list[School]:
    rng = rng_for("schools")
    plan: list[tuple[str, str, str, str | None]] = []  # name, level, ownership, district or None
    for n in range(1, 73):
        level = "完全中学" if n <= 8 else "高级中学" if n <= 14 else "初级中学"
        plan.append((f"云川市第{zh_number(n)}中学", level, "公办", None))
    for n in range(1, 141):
        plan.append((f"云川市第{zh_number(n)}小学", "小学", "公办", None))
    for district in DISTRICTS:
        plan.append((f"云川市{district.name}实验小学", "小学", "公办", district.name))
        if district.name in ("云中区", "高新区", "湖滨区", "开发区"):
            plan.append((f"云川市{district.name}实验学校", "九年一贯制学校", "公办", district.name))
    plan += [
        ("云川市外国语学校", "十二年一贯制学校", "公办", "高新区"),
        ("云川市特殊教育学校", "特殊教育学校", "公办", "湖滨区"),
        ("云川育才学校", "九年一贯制学校", "民办", "川东区"),
        ("云川博雅实验学校", "十二年一贯制学校", "民办", "高新区"),
        ("云川市明德学校", "九年一贯制学校", "民办", "南湖区"),
        ("云川启明中学", "高级中学", "民办", "新城区"),
        ("云川东方双语学校", "九年一贯制学校", "民办", "开发区"),
        ("云川市北山区松林学校", "九年一贯制学校", "公办", "北山区"),
        ("云川市北山区西沟镇中心学校", "九年一贯制学校", "公办", "北山区"),
        ("云川市南湖区柳树沟乡中心学校", "九年一贯制学校", "公办", "南湖区"),
    ]
    size = {
        "小学": (500, 2600),
        "初级中学": (600, 2200),
        "高级中学": (1200, 3600),
        "完全中学": (1800, 4200),
        "九年一贯制学校": (700, 3000),
        "十二年一贯制学校": (1800, 4200),
        "特殊教育学校": (120, 260),
    }
    sequence: dict[str, int] = {}
    out = []
    for name, level, ownership, district_name in plan:
        rural = "镇" in name or "乡" in name
        if rural:
            gx, gy = rural_point(rng, district_name or "北山区")
        else:
            gx, gy = urban_point(rng, district_name)
        district = district_at(gx, gy)
        sequence[district.code] = sequence.get(district.code, 0) + 1
        lo, hi = size[level]
        students = rng.randint(lo, hi) if not rural else rng.randint(180, 600)
        per_class = 12 if level == "特殊教育学校" else rng.randint(38, 48)
        ratio = 4 if level == "特殊教育学校" else rng.uniform(12.5, 17.5)
        founded = rng.randint(1950, 2021) if ownership == "公办" else rng.randint(1998, 2020)
        out.append(
            School(
                code=f"3{district.code}{sequence[district.code]:03d}",
                name=name,
                level=level,
                ownership=ownership,
                district=district.name,
                address=address_at(rng, gx, gy),
                phone=landline(rng),
                founded=founded,
                classes=max(6, round(students / per_class)),
                students=students,
                teachers=round(students / ratio),
                campus_m2=float(round(students * rng.uniform(9, 22), -1)),
                boarding=rural
                or level in ("高级中学", "完全中学", "十二年一贯制学校")
                and rng.random() < 0.45,
                licence_until=random_date(rng, dt.date(2027, 6, 30), dt.date(2031, 8, 31))
                if ownership == "民办"
                else None,
            )
        )
    return out


# ======================================================================= datasets
# ------------------------------------------------------------------------ 交通运输


@dataclass(frozen=True)
class BusLine:
    id: str
    name: str
    kind: str
    path: tuple[tuple[int, int], ...]


def walk_route(rng: random.Random, length: int) -> tuple[tuple[int, int], ...]:
    """A bus route as a walk along the road grid that turns now and then and never loops."""
    steps = [(1, 0), (-1, 0), (0, 1), (0, -1)]
    while True:
        x, y = rng.randrange(GRID_W), rng.randrange(GRID_H)
        dx, dy = rng.choice(steps)
        path, seen = [(x, y)], {(x, y)}
        while len(path) < length:
            if rng.random() < 0.22:
                dx, dy = rng.choice([(dy, dx), (-dy, -dx)])
            options = [(dx, dy)] + [s for s in steps if s != (dx, dy)]
            options = [
                (sx, sy)
                for sx, sy in options
                if 0 <= x + sx < GRID_W and 0 <= y + sy < GRID_H and (x + sx, y + sy) not in seen
            ]
            if not options:
                break
            if options[0] != (dx, dy):
                dx, dy = rng.choice(options)
            x, y = x + dx, y + dy
            path.append((x, y))
            seen.add((x, y))
        if len(path) >= max(6, length - 3):
            return tuple(path)


def segment_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    dx = (lon2 - lon1) * 111.32 * math.cos(math.radians((lat1 + lat2) / 2))
    dy = (lat2 - lat1) * 110.57
    return math.hypot(dx, dy)


@dataclass
class BusNetwork:
    lines: list[tuple]
    stops: list[tuple]


@functools.cache
def bus_network() -> BusNetwork:
    rng = rng_for("bus")
    plan: list[tuple[str, str, tuple[int, int]]] = []
    numbers = sorted(rng.sample(range(1, 130), 80))
    plan += [(f"{n}路", "常规公交", (10, 24)) for n in numbers]
    plan += [(f"BRT{n}号线", "快速公交", (18, 26)) for n in range(1, 6)]
    plan += [(f"夜{n}路", "夜班公交", (10, 18)) for n in range(1, 7)]
    plan += [(f"旅游{n}线", "旅游专线", (8, 14)) for n in range(1, 4)]
    plan += [(f"社区{n}路", "社区巴士", (6, 10)) for n in range(1, 11)]
    lines, stops = [], []
    for seq, (name, kind, (lo, hi)) in enumerate(plan, start=1):
        line_id = f"L{seq:03d}"
        path = walk_route(rng, rng.randint(lo, hi))
        points = [lonlat(x, y) for x, y in path]
        length = round(sum(segment_km(a, b) for a, b in itertools.pairwise(points)) * 1.08, 1)
        if kind == "夜班公交":
            first, last = "22:30", rng.choice(["02:00", "03:30", "05:30"])
        else:
            first = f"0{rng.choice([6, 7])}:{rng.choice(['00', '15', '30'])}"
            last = f"{rng.choice([20, 21, 22])}:{rng.choice(['00', '30'])}"
        fare = 2.0 if kind in ("旅游专线", "夜班公交") else 1.0
        operator = (
            "云川快速公交运营有限公司"
            if kind == "快速公交"
            else f"云川公交集团第{zh_number(rng.randint(1, 6))}分公司"
        )
        opened = (
            random_date(rng, dt.date(2011, 6, 1), dt.date(2019, 9, 30))
            if kind == "快速公交"
            else random_date(rng, dt.date(1984, 1, 1), dt.date(2025, 12, 31))
        )
        vehicles = (
            max(3, round(length * rng.uniform(0.8, 1.6)))
            if kind != "社区巴士"
            else rng.randint(2, 5)
        )
        lines.append(
            (
                line_id,
                name,
                kind,
                crossing_name(*path[0]),
                crossing_name(*path[-1]),
                length,
                len(path),
                first,
                last,
                fare,
                operator,
                vehicles,
                opened,
                rng.random() < 0.85 or kind == "快速公交",
            )
        )
        for direction, code, offset, ordered in (
            ("上行", "U", 0.00018, path),
            ("下行", "D", -0.00018, path[::-1]),
        ):
            for n, (x, y) in enumerate(ordered, start=1):
                lon, lat = lonlat(x, y)
                stops.append(
                    (
                        f"{line_id}-{code}{n:02d}",
                        line_id,
                        direction,
                        n,
                        crossing_name(x, y),
                        district_at(x, y).name,
                        round(lon + offset, 6),
                        round(lat + offset, 6),
                    )
                )
    return BusNetwork(lines, stops)


@dataset
def bus_lines() -> Dataset:
    network = bus_network()
    line_fields = [
        Field("line_id", "string", "线路编号", "线路唯一编号", required=True),
        Field("line_name", "string", "线路名称", required=True),
        Field(
            "line_type",
            "string",
            "线路类型",
            enum=["常规公交", "快速公交", "夜班公交", "旅游专线", "社区巴士"],
        ),
        Field("start_stop", "string", "起点站"),
        Field("end_stop", "string", "终点站"),
        Field("length_km", "number", "线路长度（公里）", "上行方向运营里程", minimum=0),
        Field("stop_count", "integer", "单向站点数", minimum=2),
        Field("first_bus", "string", "首班时间", "起点站首班发车时间，HH:MM"),
        Field("last_bus", "string", "末班时间", "起点站末班发车时间，HH:MM；夜班线路跨越午夜"),
        Field("fare_yuan", "number", "票价（元）", "一票制全程票价"),
        Field("operator", "string", "运营单位"),
        Field("vehicles", "integer", "配车数（辆）"),
        Field("opened", "date", "开通日期"),
        Field("air_conditioned", "boolean", "空调车"),
    ]
    stop_fields = [
        Field(
            "stop_id", "string", "站点编号", "线路编号-方向（U 上行 / D 下行）站序", required=True
        ),
        Field("line_id", "string", "线路编号", "关联“公交线路”资源的 line_id", required=True),
        Field("direction", "string", "方向", enum=["上行", "下行"], required=True),
        Field("seq", "integer", "站序", "从起点站起算的序号", minimum=1, required=True),
        Field("stop_name", "string", "站点名称", required=True),
        f_district(),
        f_lon(),
        f_lat(),
    ]
    return Dataset(
        name="bus-lines",
        title="公交线路及站点信息",
        title_en="Bus lines and stops",
        description="云川市城市公交线路的基本信息（线路类型、首末班时间、票价、运营单位）"
        "及各线路上下行站点的名称、站序和坐标。",
        description_en="Basic information on Yunchuan's city bus lines (type, first and last "
        "departures, fare, operator) and the name, order and coordinates of every stop in both "
        "directions.",
        publisher="jtj",
        theme="transport",
        keywords=["公交", "线路", "站点", "快速公交", "首末班"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="monthly",
        issued=dt.date(2021, 4, 12),
        modified=dt.date(2026, 11, 5),
        temporal=(dt.date(2021, 1, 1), dt.date(2026, 10, 31)),
        tables=[
            Table("bus-lines", "公交线路", line_fields, network.lines, ["line_id"]),
            Table(
                "bus-stops",
                "公交站点",
                stop_fields,
                network.stops,
                ["stop_id"],
                foreign_keys=[foreign_key("line_id", "bus-lines")],
            ),
        ],
        background=[
            "本数据集由云川市交通运输局根据公交企业报送的线路备案信息整理，覆盖市区常规公交、"
            "快速公交（BRT）、夜班公交、旅游专线和社区巴士。线路调整经审批后于次月初更新。",
            "站点按线路和方向分别列出，同一物理站点被多条线路停靠时会出现多次，"
            "可按站点名称和坐标合并。",
        ],
        notes=[
            "`bus-stops.line_id` 引用 `bus-lines.line_id`，两表可直接关联。",
            "首末班时间为起点站发车时间；夜班线路的末班时间在次日凌晨。",
            "坐标为站台位置的近似值（WGS-84），上下行站台分列道路两侧。",
        ],
    )


@dataset
def public_bike_stations() -> Dataset:
    rng = rng_for("bike")
    suffixes = ["东北角", "西南角", "东南角", "西北角", "公交站旁", "北侧", "南侧"]
    taken: set[str] = set()
    rows = []
    while len(rows) < 420:
        gx, gy = urban_point(rng)
        ix, iy = nearest_crossing(gx, gy)
        name = crossing_name(ix, iy) + rng.choice(suffixes)
        if name in taken:
            continue
        taken.add(name)
        lon, lat = lonlat(gx, gy)
        docks = rng.choice([12, 16, 20, 20, 24, 24, 30, 36, 40])
        available = min(docks, max(0, round(rng.gauss(docks * 0.55, docks * 0.25))))
        rows.append(
            (
                f"B{len(rows) + 1:04d}",
                name,
                district_at(gx, gy).name,
                address_at(rng, gx, gy),
                lon,
                lat,
                docks,
                available,
                dt.datetime(2026, 11, 22, 6, 0, 0),
            )
        )
    fields = [
        Field("station_id", "string", "站点编号", required=True),
        Field("station_name", "string", "站点名称", required=True),
        f_district(),
        f_address(),
        f_lon(),
        f_lat(),
        Field("docks", "integer", "锁桩数", minimum=0),
        Field("bikes_available", "integer", "可借车辆数", "快照时刻站内可借车辆", minimum=0),
        Field("updated_at", "datetime", "数据时间", "快照时刻（北京时间）"),
    ]
    return Dataset(
        name="public-bike-stations",
        title="公共自行车站点实时状态",
        title_en="Public bike stations (live status)",
        description="云川市公共自行车服务站点的位置、锁桩数和可借车辆数，平台每日同步一次快照。",
        description_en="Location, dock count and bikes available at Yunchuan's public bike "
        "stations; the portal stores a daily snapshot of the live feed.",
        publisher="jtj",
        theme="transport",
        keywords=["公共自行车", "慢行交通", "站点", "绿色出行"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="realtime",
        issued=dt.date(2022, 5, 20),
        modified=dt.date(2026, 11, 22),
        temporal=(dt.date(2026, 11, 22), dt.date(2026, 11, 22)),
        tables=[Table("bike-stations", "公共自行车站点", fields, rows, ["station_id"])],
        background=[
            "公共自行车系统由云川市交通运输局委托运营企业建设管理，站点主要分布在公交站、"
            "商圈、学校和居住区附近，冬季（12 月至次年 3 月）部分站点暂停服务。",
            "实时接口每 30 秒刷新，开放平台保存的是每日 06:00 的快照，适合做站点布局分析，"
            "不适合做实时导航。",
        ],
        notes=[
            "`bikes_available` 为快照时刻的可借车辆数，不含故障车。",
            "站点名称以最近路口或地标命名，并附方位。",
        ],
    )


EV_OPERATORS = (
    "云川能源投资有限公司 云川电力新能源服务有限公司 云川公交集团新能源有限公司 "
    "川东绿能充电科技有限公司 高新区智慧能源有限公司 云川交投新能源有限公司"
).split()


@dataset
def ev_charging_stations() -> Dataset:
    rng = rng_for("ev")
    kinds = (
        "公共充电站 停车场充电站 超市停车场充电站 公交场站充电站 小区公共充电点 加油站充电区"
    ).split()
    taken: set[str] = set()
    rows = []
    while len(rows) < 460:
        rural = rng.random() < 0.06
        gx, gy = rural_point(rng, rng.choice(list(RURAL_AREAS))) if rural else urban_point(rng)
        place = (
            district_at(gx, gy).name + rng.choice(DISTRICT_BY_NAME[district_at(gx, gy).name].towns)
            if rural
            else crossing_name(*nearest_crossing(gx, gy))
        )
        name = place + rng.choice(kinds)
        if name in taken:
            continue
        taken.add(name)
        lon, lat = lonlat(gx, gy)
        fast = rng.choice([0, 2, 4, 4, 6, 8, 10, 12, 16, 20])
        slow = rng.choice([0, 0, 2, 4, 6, 10, 20]) if fast else rng.choice([4, 6, 10, 16, 24])
        power = rng.choice([60, 120, 120, 160, 180, 240, 480]) if fast else 7
        rows.append(
            (
                f"CD{len(rows) + 1:04d}",
                name,
                rng.choice(EV_OPERATORS),
                district_at(gx, gy).name,
                address_at(rng, gx, gy),
                lon,
                lat,
                fast,
                slow,
                power,
                round(rng.uniform(0.4, 0.8), 2),
                rng.choice(
                    [
                        "充电期间免费停车 2 小时",
                        "按停车场标准收费",
                        "免费",
                        "充电期间免费停车 1 小时",
                    ]
                ),
                rng.random() < 0.7,
                random_date(rng, dt.date(2016, 3, 1), dt.date(2026, 10, 20)),
            )
        )
    rows.sort(key=lambda r: r[-1])
    rows = [(f"CD{i:04d}",) + r[1:] for i, r in enumerate(rows, start=1)]
    fields = [
        Field("station_id", "string", "充电站编号", required=True),
        Field("station_name", "string", "充电站名称", required=True),
        Field("operator", "string", "运营单位"),
        f_district(),
        f_address(),
        f_lon(),
        f_lat(),
        Field("fast_chargers", "integer", "直流快充桩数", minimum=0),
        Field("slow_chargers", "integer", "交流慢充桩数", minimum=0),
        Field("max_power_kw", "integer", "单桩最大功率（千瓦）"),
        Field("service_fee_yuan_kwh", "number", "服务费（元/千瓦时）", "不含电费"),
        Field("parking_note", "string", "停车收费说明"),
        Field("open_24h", "boolean", "24 小时开放"),
        Field("commissioned", "date", "投运日期"),
    ]
    return Dataset(
        name="ev-charging-stations",
        title="新能源汽车公共充电站",
        title_en="Public EV charging stations",
        description="云川市已投运的新能源汽车公共充电站（桩）位置、运营单位、快慢充桩数量、"
        "功率和服务费标准。",
        description_en="Public charging stations for electric vehicles in Yunchuan: location, "
        "operator, number of fast and slow chargers, power and service fee.",
        publisher="fgw",
        theme="transport",
        keywords=["充电桩", "充电", "新能源汽车", "电动汽车"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="monthly",
        issued=dt.date(2022, 9, 1),
        modified=dt.date(2026, 10, 28),
        temporal=(dt.date(2016, 3, 1), dt.date(2026, 10, 20)),
        tables=[Table("charging-stations", "公共充电站", fields, rows, ["station_id"])],
        background=[
            "为方便新能源汽车车主查找充电设施，"
            "云川市发展和改革委员会汇总各运营单位报送的公共充电站信息，每月更新一次。"
            "个人自用充电桩和单位内部专用充电桩不在本数据集内。",
        ],
        notes=[
            "服务费不含电费，电费按云川市电动汽车充换电设施用电价格执行。",
            "`max_power_kw` 为站内功率最大的一台充电桩的额定功率；仅有慢充桩的站点为 7 千瓦。",
        ],
    )


# ------------------------------------------------------------------------ 教育


@dataset
def schools_dataset() -> Dataset:
    rng = rng_for("kindergartens")
    school_rows = [
        (
            s.code,
            s.name,
            s.level,
            s.ownership,
            s.district,
            s.address,
            s.phone,
            s.founded,
            s.classes,
            s.students,
            s.teachers,
            s.campus_m2,
            s.boarding,
            s.licence_until,
        )
        for s in schools()
    ]
    school_fields = [
        Field("school_code", "string", "学校标识码", "10 位学校标识码", required=True),
        Field("school_name", "string", "学校名称", required=True),
        Field(
            "level",
            "string",
            "办学类型",
            enum=[
                "小学",
                "初级中学",
                "高级中学",
                "完全中学",
                "九年一贯制学校",
                "十二年一贯制学校",
                "特殊教育学校",
            ],
        ),
        Field("ownership", "string", "举办者类型", enum=["公办", "民办"]),
        f_district(),
        f_address(),
        f_phone("办公电话"),
        Field("founded", "year", "建校年份"),
        Field("classes", "integer", "班级数", minimum=0),
        Field("students", "integer", "在校生数", minimum=0),
        Field("teachers", "integer", "专任教师数", minimum=0),
        Field("campus_m2", "number", "校园占地面积（平方米）"),
        Field("boarding", "boolean", "提供住宿"),
        Field("licence_valid_until", "date", "办学许可证有效期至", "仅民办学校填写"),
    ]
    kg_rows = []
    taken: set[str] = set()
    public_names = [f"云川市第{zh_number(n)}幼儿园" for n in range(1, 61)]
    kg_words = (
        "小太阳 童心 七色花 小天使 蓝天 启蒙 贝贝 彩虹 金色童年 小博士 向日葵 春芽 明珠 苗苗 星星 "
        "快乐宝贝 乐乐 百合 小树苗 新星"
    ).split()
    while len(kg_rows) < 330:
        if len(kg_rows) < len(public_names):
            name, ownership = public_names[len(kg_rows)], "公办"
            gx, gy = urban_point(rng)
        else:
            gx, gy = urban_point(rng)
            ownership = weighted(rng, {"公办": 25, "普惠性民办": 45, "民办": 30})
            if ownership == "公办":
                name = f"{district_at(gx, gy).name}{rng.choice(COMMUNITIES)}社区幼儿园"
            else:
                name = f"{district_at(gx, gy).name}{rng.choice(kg_words)}幼儿园"
        if name in taken:
            continue
        taken.add(name)
        classes = rng.randint(3, 15)
        fee = {
            "公办": rng.choice([320, 380, 450, 520]),
            "普惠性民办": rng.choice([680, 780, 880, 980]),
            "民办": rng.choice([1600, 2200, 2800, 3500, 4200]),
        }[ownership]
        kg_rows.append(
            (
                f"YE{len(kg_rows) + 1:04d}",
                name,
                ownership,
                district_at(gx, gy).name,
                address_at(rng, gx, gy),
                landline(rng),
                classes,
                classes * rng.choice([25, 28, 30]),
                float(fee),
            )
        )
    kg_fields = [
        Field("kg_id", "string", "幼儿园编号", required=True),
        Field("kg_name", "string", "幼儿园名称", required=True),
        Field("ownership", "string", "办园性质", enum=["公办", "普惠性民办", "民办"]),
        f_district(),
        f_address(),
        f_phone(),
        Field("classes", "integer", "班级数", minimum=0),
        Field("capacity", "integer", "核定学位数", minimum=0),
        Field("monthly_fee_yuan", "number", "保教费（元/月）", "不含伙食费"),
    ]
    return Dataset(
        name="schools",
        title="中小学校及幼儿园名录",
        title_en="Schools and kindergartens",
        description="云川市中小学校和幼儿园名录，包括学校标识码、办学类型、地址、班级数、"
        "在校生数、专任教师数及幼儿园保教费标准。",
        description_en="Directory of Yunchuan's primary and secondary schools and kindergartens "
        "with school codes, type, address, classes, pupils, teachers and kindergarten fees.",
        publisher="jyj",
        theme="education",
        keywords=["学校", "中小学", "幼儿园", "学位", "教育统计"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="yearly",
        issued=dt.date(2020, 10, 9),
        modified=dt.date(2026, 9, 10),
        temporal=(dt.date(2025, 9, 1), dt.date(2026, 7, 31)),
        tables=[
            Table(
                "schools",
                "中小学校名录",
                school_fields,
                school_rows,
                ["school_code"],
                fmt="xlsx",
                description="Excel 工作表，数据口径为 2025-2026 学年教育事业统计",
            ),
            Table("kindergartens", "幼儿园名录", kg_fields, kg_rows, ["kg_id"]),
        ],
        background=[
            "名录来自每年秋季开学后的教育事业统计，由各区教育局审核后报市教育局汇总，每年 9 "
            "月更新。",
            "中小学校名录以 Excel 工作表提供，保持各区上报时的原始格式；幼儿园名录为 CSV。",
        ],
        notes=[
            "`school_code` 为教育部学校标识码格式（10 位），首位 3 之后为所在区代码。",
            "`licence_valid_until` 仅民办学校有值，公办学校留空。",
            "专任教师数不含行政、教辅人员和外聘教师。",
        ],
    )


@dataset
def after_school_care() -> Dataset:
    rng = rng_for("after-school")
    levels = ("小学", "初级中学", "九年一贯制学校", "十二年一贯制学校", "完全中学")
    activity_pool = ("作业辅导 阅读 体育活动 科普实践 艺术 书法 编程 劳动教育 合唱 棋类").split()
    rows = []
    for term in ("2025-2026学年第一学期", "2025-2026学年第二学期"):
        for s in schools():
            if s.level not in levels:
                continue
            base = s.students if s.level == "小学" else s.students * 0.6
            rate = min(98.0, max(35.0, rng.gauss(78, 10)))
            participants = round(base * rate / 100)
            fee = (
                0.0
                if s.ownership == "公办" and rng.random() < 0.35
                else float(rng.choice([300, 360, 400, 450, 500]))
            )
            if s.ownership == "民办":
                fee = float(rng.choice([800, 1000, 1200]))
            rows.append(
                (
                    s.code,
                    s.name,
                    s.district,
                    term,
                    "周一至周五",
                    rng.choice(["18:00", "18:30", "18:30", "19:00"]),
                    participants,
                    round(rate, 1),
                    fee,
                    "；".join(
                        sorted(
                            rng.sample(activity_pool, rng.randint(3, 5)), key=activity_pool.index
                        )
                    ),
                    s.level == "小学" and rng.random() < 0.3,
                )
            )
    fields = [
        Field(
            "school_code",
            "string",
            "学校标识码",
            "与“中小学校及幼儿园名录”中的学校标识码一致",
            required=True,
        ),
        Field("school_name", "string", "学校名称", required=True),
        f_district(),
        Field("term", "string", "学期", required=True),
        Field("service_days", "string", "服务日"),
        Field("end_time", "string", "课后服务结束时间", "HH:MM"),
        Field("participants", "integer", "参加学生数", minimum=0),
        Field("participation_rate", "number", "参与率（%）", minimum=0, maximum=100),
        Field("fee_yuan_per_term", "number", "收费标准（元/学期）", "0 表示免费"),
        Field("activities", "string", "服务内容", "以全角分号分隔"),
        Field("supper_provided", "boolean", "提供晚餐"),
    ]
    return Dataset(
        name="after-school-care",
        title="中小学课后服务（课后托管）开展情况",
        title_en="After-school care in primary and secondary schools",
        description="各中小学课后服务（课后托管）的服务时间、参加人数、参与率、"
        "收费标准和主要内容，按学期统计。",
        description_en="After-school care offered by each primary and secondary school: hours, "
        "participants, participation rate, fee and activities, by school term.",
        publisher="jyj",
        theme="education",
        keywords=["课后服务", "课后托管", "中小学 托管", "双减"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="quarterly",
        issued=dt.date(2022, 3, 1),
        modified=dt.date(2026, 6, 30),
        temporal=(dt.date(2025, 9, 1), dt.date(2026, 7, 10)),
        tables=[
            Table("after-school-care", "课后服务开展情况", fields, rows, ["school_code", "term"])
        ],
        background=[
            "按照“双减”工作要求，云川市义务教育学校普遍开展课后服务，家长自愿报名，"
            "学校统筹安排作业辅导、文体活动和兴趣课程。本数据集按学期公布各校的开展情况，"
            "便于家长比较和社会监督。",
        ],
        notes=[
            "参与率 = 参加学生数 / 在校生数；九年一贯制等学校只统计义务教育阶段。",
            "收费标准为经区发展改革部门备案的标准，困难家庭学生免收。",
        ],
    )


# ------------------------------------------------------------------------ 卫生健康


@dataset
def medical_institutions() -> Dataset:
    rows = [
        (
            i.id,
            i.name,
            i.category,
            i.grade,
            i.ownership,
            i.district,
            i.address,
            i.phone,
            i.beds,
            i.emergency,
            i.lon,
            i.lat,
            i.license_valid_until,
        )
        for i in institutions()
    ]
    fields = [
        Field("inst_id", "string", "机构编号", required=True),
        Field("inst_name", "string", "机构名称", required=True),
        Field(
            "category",
            "string",
            "机构类别",
            enum=[
                "综合医院",
                "中医医院",
                "专科医院",
                "妇幼保健院",
                "社区卫生服务中心",
                "乡镇卫生院",
                "门诊部",
                "诊所",
            ],
        ),
        Field(
            "grade",
            "string",
            "医院等级",
            enum=["三级甲等", "三级乙等", "二级甲等", "二级乙等", "一级", "未定级"],
        ),
        Field("ownership", "string", "经营性质", enum=["公立", "民营"]),
        f_district(),
        f_address(),
        f_phone("咨询电话"),
        Field("beds", "integer", "核定床位数", minimum=0),
        Field("emergency", "boolean", "设急诊科"),
        f_lon(),
        f_lat(),
        Field("license_valid_until", "date", "执业许可证有效期至"),
    ]
    return Dataset(
        name="medical-institutions",
        title="医疗机构名录",
        title_en="Hospitals and clinics",
        description="云川市辖区内医院、社区卫生服务中心、乡镇卫生院、门诊部和诊所的名称、类别、"
        "等级、地址、电话、床位数和位置。",
        description_en="Hospitals, community health centres, township health centres, outpatient "
        "departments and clinics in Yunchuan with category, grade, address, phone, beds and "
        "location.",
        publisher="wjw",
        theme="health",
        keywords=["医院", "诊所", "社区卫生服务中心", "床位", "急诊"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="quarterly",
        issued=dt.date(2020, 6, 30),
        modified=dt.date(2026, 10, 15),
        temporal=(dt.date(2026, 1, 1), dt.date(2026, 9, 30)),
        tables=[Table("medical-institutions", "医疗机构", fields, rows, ["inst_id"])],
        background=[
            "名录依据医疗机构执业登记信息整理，每季度末更新。新设、"
            "变更和注销的机构在下一季度的版本中体现。",
            "急诊就医请拨打 120；机构的出诊时间、科室设置以机构公告为准。",
        ],
        notes=[
            "`grade` 为卫生健康行政部门评定的医院等级，门诊部和诊所为“未定级”。",
            "`beds` 为执业登记核定床位数，不是实际开放床位数。",
        ],
    )


# ------------------------------------------------------------------------ 市场监管


@dataset
def licensed_businesses() -> Dataset:
    rows = [
        (
            b.code,
            b.name,
            b.entity_type,
            b.industry,
            b.district,
            b.address,
            b.capital,
            b.established,
            b.status,
            f"云川市市场监督管理局{b.district}分局",
        )
        for b in business_register().published
    ]
    fields = [
        Field("credit_code", "string", "统一社会信用代码", "18 位，含校验码", required=True),
        Field("entity_name", "string", "主体名称", required=True),
        Field(
            "entity_type",
            "string",
            "主体类型",
            enum=[
                "有限责任公司",
                "股份有限公司",
                "个人独资企业",
                "农民专业合作社",
                "个体工商户",
            ],
        ),
        Field("industry", "string", "行业门类", "国民经济行业分类门类"),
        f_district(),
        Field("address", "string", "住所（经营场所）"),
        Field(
            "registered_capital_wan",
            "number",
            "注册资本（万元）",
            "个体工商户不登记注册资本，留空；合作社为出资总额",
        ),
        Field("established", "date", "成立日期", required=True),
        Field("status", "string", "登记状态", enum=["存续", "注销", "吊销"]),
        Field("authority", "string", "登记机关"),
    ]
    return Dataset(
        name="licensed-businesses",
        title="市场主体登记信息",
        title_en="Registered businesses",
        description="在云川市登记的企业、农民专业合作社和个体工商户的统一社会信用代码、名称、"
        "类型、行业、住所、注册资本、成立日期和登记状态。",
        description_en="Companies, farmers' cooperatives and individual businesses registered in "
        "Yunchuan: credit code, name, type, industry, address, registered capital, date and "
        "status.",
        publisher="scjgj",
        theme="market",
        keywords=["企业", "个体工商户", "市场主体", "统一社会信用代码", "营业执照"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="weekly",
        issued=dt.date(2019, 12, 2),
        modified=dt.date(2026, 11, 16),
        temporal=(dt.date(1996, 1, 1), dt.date(2026, 11, 13)),
        tables=[Table("businesses", "市场主体", fields, rows, ["credit_code"])],
        background=[
            "数据来自云川市市场主体登记系统，包含依法公示的登记事项。法定代表人、经营者、"
            "投资人等自然人信息不在开放范围内，请通过国家企业信用信息公示系统查询。",
            "本数据集为示例抽样，并非辖区内全部市场主体。",
        ],
        notes=[
            "`registered_capital_wan` 单位为万元人民币。",
            "登记状态为“注销”“吊销”的主体保留在数据集中，便于追溯。",
        ],
    )


FOOD_SAMPLES = {
    # category: ([samples], [possible failing items])
    "粮食加工品": (["小麦粉", "大米", "挂面", "玉米面"], ["脱氧雪腐镰刀菌烯醇", "镉（以 Cd 计）"]),
    "食用油、油脂及其制品": (
        ["菜籽油", "大豆油", "胡麻油", "葵花籽油"],
        ["酸价（KOH）", "过氧化值"],
    ),
    "肉制品": (["酱卤肉制品", "熏煮香肠", "风干牛肉"], ["菌落总数", "亚硝酸盐"]),
    "乳制品": (["灭菌乳", "发酵乳", "调制乳"], ["蛋白质", "大肠菌群"]),
    "饮料": (["包装饮用水", "果汁饮料", "茶饮料"], ["铜绿假单胞菌", "菌落总数"]),
    "糕点": (["面包", "月饼", "蛋糕", "馕"], ["菌落总数", "霉菌", "过氧化值（以脂肪计）"]),
    "调味品": (
        ["酱油", "食醋", "辣椒酱", "鸡精调味料"],
        ["苯甲酸及其钠盐（以苯甲酸计）", "氨基酸态氮"],
    ),
    "蔬菜": (
        ["韭菜", "芹菜", "豇豆", "菠菜", "普通白菜"],
        ["毒死蜱", "腐霉利", "氧乐果", "克百威"],
    ),
    "水果": (["苹果", "葡萄", "香梨", "哈密瓜"], ["多菌灵", "吡唑醚菌酯"]),
    "畜禽肉及副产品": (["牛肉", "羊肉", "鸡肉", "猪肉"], ["恩诺沙星", "克伦特罗"]),
    "水产品": (["草鱼", "鲤鱼", "鲫鱼"], ["恩诺沙星", "孔雀石绿"]),
    "鲜蛋": (["鸡蛋"], ["恩诺沙星", "氟苯尼考"]),
    "餐饮食品": (
        ["复用餐饮具", "凉皮", "自制凉拌菜"],
        ["大肠菌群", "阴离子合成洗涤剂（以十二烷基苯磺酸钠计）"],
    ),
}
FOOD_MAKERS = {
    "粮食加工品": ["云川{}面粉有限责任公司", "云川{}粮油有限公司"],
    "食用油、油脂及其制品": ["云川{}粮油有限公司", "云川{}油脂有限公司"],
    "肉制品": ["云川{}肉制品有限公司", "云川{}清真食品有限公司"],
    "乳制品": ["云川{}乳业有限公司"],
    "饮料": ["云川{}饮品有限公司", "云川{}矿泉水有限公司"],
    "糕点": ["云川{}食品有限公司", "云川{}烘焙有限公司"],
    "调味品": ["云川{}调味品厂", "云川{}酿造有限公司"],
}
NOT_FOOD_SHOPS = ("五金", "文具", "服装", "烟酒", "建材")


@dataset
def food_safety_inspections() -> Dataset:
    rng = rng_for("food")
    active = [b for b in business_register().published if b.status == "存续"]
    shops = [
        b
        for b in active
        if b.industry == "批发和零售业" and not any(w in b.name for w in NOT_FOOD_SHOPS)
    ]
    restaurants = [b for b in active if b.industry == "住宿和餐饮业"]
    makers = {
        category: [template.format(brand(rng)) for template in templates for _ in range(3)]
        for category, templates in FOOD_MAKERS.items()
    }
    agencies = ["云川市食品药品检验所", "云川质量技术检测中心有限公司", "云川市产品质量检验所"]
    rows = []
    counter: dict[int, int] = {}
    dates = sorted(
        random_date(rng, dt.date(2025, 1, 6), dt.date(2026, 11, 19)) for _ in range(1650)
    )
    for day in dates:
        if day.weekday() >= 5:
            day -= dt.timedelta(days=day.weekday() - 4)
        counter[day.year] = counter.get(day.year, 0) + 1
        category = rng.choice(list(FOOD_SAMPLES))
        samples, failures = FOOD_SAMPLES[category]
        seller = rng.choice(restaurants if category == "餐饮食品" else shops)
        failed = rng.random() < (0.06 if category in ("蔬菜", "餐饮食品") else 0.025)
        rows.append(
            (
                f"CJ{day.year}-{counter[day.year]:05d}",
                day,
                category,
                rng.choice(samples),
                rng.choice(makers[category]) if category in makers else None,
                seller.name,
                seller.district,
                "不合格" if failed else "合格",
                rng.choice(failures) if failed else None,
                rng.choice(agencies),
            )
        )
    fields = [
        Field("sample_id", "string", "抽样单编号", required=True),
        Field("sample_date", "date", "抽样日期", required=True),
        Field("food_category", "string", "食品大类"),
        Field("sample_name", "string", "样品名称"),
        Field("producer", "string", "标称生产企业", "散装及食用农产品无此项"),
        Field("sampled_unit", "string", "被抽样单位"),
        f_district(),
        Field("result", "string", "检验结论", enum=["合格", "不合格"], required=True),
        Field("failed_items", "string", "不合格项目", "结论为合格时留空"),
        Field("test_agency", "string", "检验机构"),
    ]
    return Dataset(
        name="food-safety-inspections",
        title="食品安全监督抽检结果",
        title_en="Food safety sampling results",
        description="云川市市场监督管理局组织的食品安全监督抽检结果，包括抽样日期、食品类别、"
        "样品名称、被抽样单位和检验结论。",
        description_en="Results of food safety sampling organised by the Yunchuan market "
        "regulator: date, food category, sample, sampled business and test result.",
        publisher="scjgj",
        theme="market",
        keywords=["食品安全", "抽检", "不合格", "农药残留"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="weekly",
        issued=dt.date(2025, 2, 10),
        modified=dt.date(2026, 11, 20),
        temporal=(dt.date(2025, 1, 6), dt.date(2026, 11, 19)),
        tables=[Table("inspections", "抽检结果", fields, rows, ["sample_id"])],
        status={
            "state": "异议处理中",
            "since": "2026-11-16",
            "reason": {
                "zh": "被抽样单位对一批次的检验结论提出异议，正在复检",
                "en": "a sampled business objected to the result of one batch; "
                "it is being retested",
            },
            "reply_by": "2026-12-15",
        },
        background=[
            "抽检结果按周汇总发布。对不合格产品，市场监管部门已责令被抽样单位下架、"
            "召回并依法立案调查，核查处置情况另行公告。",
            "抽检结果仅对所检样品负责，不代表同一单位其他产品的质量状况。",
        ],
        notes=[
            "`producer` 为样品标签上标称的生产企业，未经核实；散装食品和食用农产品留空。",
            "同一抽样单存在多个不合格项目时，只列出主要项目。",
        ],
    )


# ------------------------------------------------------------------------ 生态环境

AQI_STEPS = (0, 50, 100, 150, 200, 300, 400, 500)
AQI_BREAKPOINTS = {  # HJ 633-2012, 24-hour averages (O3 as daily max 8-hour average)
    "PM2.5": (0, 35, 75, 115, 150, 250, 350, 500),
    "PM10": (0, 50, 150, 250, 350, 420, 500, 600),
    "O3": (0, 100, 160, 215, 265, 800),
    "NO2": (0, 40, 80, 180, 280, 565, 750, 940),
    "SO2": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "CO": (0, 2, 4, 14, 24, 36, 48, 60),
}
AQI_LEVELS = (
    (50, "优"),
    (100, "良"),
    (150, "轻度污染"),
    (200, "中度污染"),
    (300, "重度污染"),
    (500, "严重污染"),
)


def iaqi(pollutant: str, value: float) -> int:
    points = AQI_BREAKPOINTS[pollutant]
    for i in range(1, len(points)):
        if value <= points[i]:
            lo, hi = points[i - 1], points[i]
            return math.ceil(
                (AQI_STEPS[i] - AQI_STEPS[i - 1]) / (hi - lo) * (value - lo) + AQI_STEPS[i - 1]
            )
    return 500


AIR_STATIONS = [
    # id, name, type, grid position, pollution factor, traffic factor
    ("A01", "人民广场", "国控点", (6.2, 5.1), 1.05, 1.2),
    ("A02", "川东工业园", "国控点", (12.4, 6.8), 1.18, 1.0),
    ("A03", "新城区政府", "国控点", (1.1, 5.2), 1.0, 1.0),
    ("A04", "湖滨公园", "国控点", (7.1, 9.1), 0.95, 0.9),
    ("A05", "高新区管委会", "国控点", (10.2, 1.1), 0.9, 0.95),
    ("A06", "北山森林公园", "对照点", (3.0, -0.4), 0.68, 0.45),
    ("A07", "南湖湿地", "省控点", (11.2, 10.3), 0.85, 0.7),
    ("A08", "开发区管委会", "省控点", (2.1, 10.1), 1.1, 1.05),
]


@dataset
def air_quality() -> Dataset:
    rng = rng_for("air")
    start, end = dt.date(2025, 11, 21), dt.date(2026, 11, 20)
    station_rows = []
    for sid, name, kind, (gx, gy), _, _ in AIR_STATIONS:
        lon, lat = lonlat(gx, gy)
        station_rows.append(
            (sid, f"{name}站", kind, district_at(gx, gy).name, address_at(rng, gx, gy), lon, lat)
        )
    readings = []
    weather = 0.0
    for day in day_range(start, end):
        season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)  # +1 mid-January
        weather = 0.72 * weather + rng.gauss(0, 0.33)
        stagnation = math.exp(weather)
        dust = 3.2 if day.month in (3, 4, 5) and rng.random() < 0.06 else 1.0
        for sid, _, _, _, pollution, traffic in AIR_STATIONS:
            noise = math.exp(rng.gauss(0, 0.12))
            pm25 = max(
                3,
                round(
                    (30 + 12 * season + 40 * max(0.0, season) ** 2) * stagnation * pollution * noise
                ),
            )
            pm10 = max(pm25 + 2, round(pm25 * (1.8 - 0.4 * season + rng.gauss(0, 0.1)) * dust))
            o3 = max(
                8,
                round(
                    (86 - 48 * season)
                    * math.exp(rng.gauss(0, 0.18))
                    * (1.12 if sid == "A06" else 1.0)
                ),
            )
            no2 = max(4, round((38 + 18 * season) * math.sqrt(stagnation) * traffic * noise))
            so2 = max(2, round((7 + 9 * max(0.0, season)) * math.sqrt(stagnation) * noise))
            co = max(0.2, round((0.55 + 0.95 * max(0.0, season)) * stagnation**0.6 * noise, 1))
            scores = {
                "PM2.5": iaqi("PM2.5", pm25),
                "PM10": iaqi("PM10", pm10),
                "O3": iaqi("O3", o3),
                "NO2": iaqi("NO2", no2),
                "SO2": iaqi("SO2", so2),
                "CO": iaqi("CO", co),
            }
            aqi = max(scores.values())
            level = next(label for limit, label in AQI_LEVELS if aqi <= limit)
            primary = "、".join(p for p, s in scores.items() if s == aqi) if aqi > 50 else None
            readings.append((sid, day, aqi, level, primary, pm25, pm10, o3, no2, so2, co))
    station_fields = [
        Field("station_id", "string", "站点编号", required=True),
        Field("station_name", "string", "站点名称", required=True),
        Field("station_type", "string", "站点类型", enum=["国控点", "省控点", "对照点"]),
        f_district(),
        f_address(),
        f_lon(),
        f_lat(),
    ]
    reading_fields = [
        Field("station_id", "string", "站点编号", required=True),
        Field("date", "date", "日期", required=True),
        Field("aqi", "integer", "空气质量指数（AQI）", minimum=0, maximum=500, required=True),
        Field("level", "string", "空气质量级别", enum=[label for _, label in AQI_LEVELS]),
        Field("primary_pollutant", "string", "首要污染物", "AQI 不大于 50 时无首要污染物，留空"),
        Field("pm25", "integer", "PM2.5（微克/立方米）", "24 小时平均"),
        Field("pm10", "integer", "PM10（微克/立方米）", "24 小时平均"),
        Field("o3_8h", "integer", "O3（微克/立方米）", "日最大 8 小时滑动平均"),
        Field("no2", "integer", "NO2（微克/立方米）", "24 小时平均"),
        Field("so2", "integer", "SO2（微克/立方米）", "24 小时平均"),
        Field("co", "number", "CO（毫克/立方米）", "24 小时平均"),
    ]
    readme_table = "\n".join(
        [
            "| AQI | 级别 | 健康提示 |",
            "| --- | --- | --- |",
            "| 0–50 | 优 | 空气质量令人满意 |",
            "| 51–100 | 良 | 极少数异常敏感人群应减少户外活动 |",
            "| 101–150 | 轻度污染 | 儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间户外锻炼 |",
            "| 151–200 | 中度污染 | 一般人群适量减少户外运动 |",
            "| 201–300 | 重度污染 | 一般人群减少户外运动 |",
            "| >300 | 严重污染 | 一般人群避免户外活动 |",
        ]
    )
    return Dataset(
        name="air-quality-daily",
        title="环境空气质量日报",
        title_en="Daily air quality",
        description="云川市各环境空气质量监测站点逐日的空气质量指数（AQI）、首要污染物及 PM2.5、"
        "PM10、O3、NO2、SO2、CO 浓度。",
        description_en="Daily air quality index (AQI), primary pollutant and concentrations of "
        "PM2.5, PM10, O3, NO2, SO2 and CO at each monitoring station in Yunchuan.",
        publisher="sthjj",
        theme="environment",
        keywords=["空气质量", "AQI", "PM2.5", "PM10", "臭氧", "监测站"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="daily",
        issued=dt.date(2019, 3, 1),
        modified=dt.date(2026, 11, 21),
        temporal=(start, end),
        tables=[
            Table("air-stations", "监测站点", station_fields, station_rows, ["station_id"]),
            Table(
                "air-quality-daily",
                "逐日监测数据",
                reading_fields,
                readings,
                ["station_id", "date"],
                foreign_keys=[foreign_key("station_id", "air-stations")],
            ),
        ],
        background=[
            "数据来自云川市环境空气质量自动监测网络，按《环境空气质量指数（AQI）技术规定（试行）"
            "》（HJ 633-2012）计算日空气质量指数。每日上午发布前一日数据，数据经自动审核，"
            "月度复核后可能有少量修正。",
            "云川市冬季采暖期（10 月 15 日至次年 4 月 15 日）受逆温和燃煤影响，"
            "颗粒物浓度明显升高；春季偶有沙尘过程，夏季臭氧为主要污染物。",
        ],
        notes=[
            "北山森林公园站为区域对照点，不参与城市均值计算。",
            "首要污染物有并列时以顿号分隔。",
            "同期气象条件可参考[气象观测日值数据](https://data.yunchuan.gov.cn/datasets/"
            "weather-daily/)。",
        ],
        readme_extra="### 空气质量指数分级\n\n" + readme_table + "\n",
    )


# ------------------------------------------------------------------------ 统计

POPULATION_2015 = {  # residents in 2015, yearly growth
    "云中区": (642000, 0.004),
    "川东区": (468000, 0.009),
    "新城区": (431000, 0.007),
    "湖滨区": (352000, 0.010),
    "高新区": (241000, 0.036),
    "北山区": (236000, -0.006),
    "南湖区": (232000, 0.019),
    "开发区": (128000, 0.039),
}


@dataset
def population() -> Dataset:
    rng = rng_for("population")
    groups = (("0-14岁", 0.52), ("15-59岁", 0.51), ("60岁及以上", 0.47))  # group, male share
    detail, summary = [], []
    for name, (base, growth) in POPULATION_2015.items():
        older = {"北山区": 0.035, "高新区": -0.03, "开发区": -0.025}.get(name, 0.0)
        registered_share = {"高新区": 0.72, "开发区": 0.68, "云中区": 0.9}.get(name, 0.84)
        urban = {"北山区": 57.0, "南湖区": 86.0, "开发区": 81.0}.get(name)
        for year in range(2015, 2026):
            t = year - 2015
            total = round(base * (1 + growth) ** t * (1 + rng.gauss(0, 0.002)))
            shares = {
                "0-14岁": 0.186 - 0.0021 * t - older / 3,
                "60岁及以上": 0.128 + 0.0055 * t + older,
            }
            shares["15-59岁"] = 1 - shares["0-14岁"] - shares["60岁及以上"]
            resident = 0
            for group, male_share in groups:
                count = round(total * shares[group])
                male = round(count * (male_share + rng.gauss(0, 0.003)))
                detail.append((year, name, "男", group, male))
                detail.append((year, name, "女", group, count - male))
                resident += count
            births = round(resident * (11.6 - 0.46 * t + rng.gauss(0, 0.3)) / 1000)
            deaths = round(
                resident
                * (5.1 + 0.09 * t + (1.4 if name == "北山区" else 0) + rng.gauss(0, 0.2))
                / 1000
            )
            summary.append(
                (
                    year,
                    name,
                    resident,
                    round(resident * registered_share),
                    round(resident / (2.78 - 0.025 * t)),
                    births,
                    deaths,
                    round((births - deaths) / resident * 1000, 2),
                    100.0 if urban is None else round(min(100.0, urban + 1.1 * t), 1),
                )
            )
    detail_fields = [
        Field("year", "year", "年份", required=True),
        f_district(),
        Field("sex", "string", "性别", enum=["男", "女"], required=True),
        Field("age_group", "string", "年龄组", enum=[g for g, _ in groups], required=True),
        Field("population", "integer", "常住人口（人）", minimum=0),
    ]
    summary_fields = [
        Field("year", "year", "年份", required=True),
        f_district(),
        Field("resident_population", "integer", "年末常住人口（人）"),
        Field("registered_population", "integer", "年末户籍人口（人）"),
        Field("households", "integer", "家庭户数（户）"),
        Field("births", "integer", "出生人口（人）"),
        Field("deaths", "integer", "死亡人口（人）"),
        Field("natural_growth_permille", "number", "人口自然增长率（‰）"),
        Field("urbanization_pct", "number", "城镇化率（%）", minimum=0, maximum=100),
    ]
    return Dataset(
        name="population-by-district",
        title="分区县常住人口统计",
        title_en="Population by district",
        description="2015 年以来云川市各区年末常住人口、户籍人口、户数、出生和死亡人口，"
        "以及按性别和年龄组划分的常住人口。",
        description_en="Year-end resident and registered population, households, births and "
        "deaths for each district of Yunchuan since 2015, and residents by sex and age group.",
        publisher="tjj",
        theme="population",
        keywords=["人口", "常住人口", "年龄结构", "出生率", "城镇化"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="yearly",
        issued=dt.date(2018, 4, 2),
        modified=dt.date(2026, 3, 20),
        temporal=(dt.date(2015, 1, 1), dt.date(2025, 12, 31)),
        tables=[
            Table(
                "population-summary", "分区人口总量", summary_fields, summary, ["year", "district"]
            ),
            Table(
                "population-by-age",
                "分性别年龄组常住人口",
                detail_fields,
                detail,
                ["year", "district", "sex", "age_group"],
            ),
        ],
        background=[
            "数据来自云川市年度人口变动情况抽样调查推算结果，逢人口普查年份以普查数据校准，每年 3 "
            "月发布上一年数据。",
            "常住人口指实际居住在本区半年以上的人口，户籍人口按公安户籍登记统计。",
        ],
        notes=[
            "分性别年龄组数据合计与分区常住人口一致。",
            "中心城区（云中区、川东区、新城区、湖滨区、高新区）城镇化率按 100% 计。",
        ],
    )


# ------------------------------------------------------------------------ 文化旅游

SCENIC_SPOTS = [
    # name, grade, district, ticket (yuan), hours, rural?
    ("云川湖风景名胜区", "5A", "南湖区", 120, "09:00-20:00", True),
    ("北山雪岭国家森林公园", "5A", "北山区", 95, "09:30-19:30", True),
    ("南湖国家湿地公园", "4A", "南湖区", 0, "全天开放", False),
    ("云川博物馆", "4A", "云中区", 0, "10:00-18:00（周一闭馆）", False),
    ("川东古城遗址公园", "4A", "川东区", 40, "09:30-19:00", False),
    ("丝路风情街", "4A", "云中区", 0, "全天开放", False),
    ("云川植物园", "4A", "高新区", 30, "09:00-19:30", False),
    ("西沟草原风景区", "4A", "北山区", 60, "09:00-20:00（11 月至次年 4 月闭园）", True),
    ("湖滨水上乐园", "4A", "湖滨区", 150, "10:30-19:00（6 月至 9 月开放）", False),
    ("雪峰国际滑雪场", "4A", "北山区", 180, "10:00-18:00（12 月至次年 3 月开放）", True),
    ("云川科技馆", "4A", "高新区", 0, "10:00-17:30（周一闭馆）", False),
    ("红柳公园", "3A", "新城区", 0, "全天开放", False),
    ("鼓楼历史文化街区", "3A", "云中区", 0, "全天开放", False),
    ("云中老街", "3A", "云中区", 0, "全天开放", False),
    ("北山森林公园", "3A", "北山区", 10, "08:00-21:00", False),
    ("白杨沟峡谷", "3A", "北山区", 45, "09:30-19:30", True),
    ("杏花村民俗旅游区", "3A", "北山区", 20, "09:00-20:00", True),
    ("石门古道", "3A", "开发区", 25, "09:00-19:00", True),
    ("芦花荡生态园", "3A", "南湖区", 30, "09:00-19:00", False),
    ("白鹭洲公园", "3A", "南湖区", 0, "全天开放", False),
    ("云川动物园", "3A", "湖滨区", 40, "09:30-18:00", False),
    ("人民公园", "3A", "云中区", 0, "07:00-22:00", False),
    ("川东工业遗址文创园", "3A", "川东区", 0, "10:00-22:00", False),
    ("开元湖公园", "3A", "开发区", 0, "全天开放", False),
    ("松林温泉度假村", "3A", "北山区", 168, "10:00-23:00", False),
    ("云川美术馆", "3A", "湖滨区", 0, "10:00-18:00（周一闭馆）", False),
    ("柳树沟葡萄庄园", "3A", "南湖区", 30, "09:00-19:00（5 月至 10 月开放）", True),
    ("云川非遗文化园", "3A", "新城区", 0, "10:00-20:00", False),
    ("学府文化公园", "3A", "高新区", 0, "全天开放", False),
    ("友谊公园", "2A", "川东区", 0, "全天开放", False),
    ("湖心岛公园", "2A", "湖滨区", 0, "07:00-22:00", False),
    ("东风农场观光园", "2A", "南湖区", 15, "09:00-19:00", True),
    ("团结广场", "2A", "新城区", 0, "全天开放", False),
    ("南苑花卉市场", "2A", "湖滨区", 0, "09:00-19:00", False),
    ("青年公园", "2A", "湖滨区", 0, "全天开放", False),
    ("石榴籽文化广场", "2A", "开发区", 0, "全天开放", False),
    ("西环郊野公园", "2A", "新城区", 0, "全天开放", False),
    ("玫瑰庄园", "2A", "开发区", 20, "09:00-20:00（5 月至 9 月开放）", True),
    ("云川冰雪乐园", "2A", "湖滨区", 60, "11:00-21:00（12 月至次年 2 月开放）", False),
    ("光明陶艺村", "2A", "北山区", 0, "10:00-19:00", True),
    ("明珠塔", "2A", "云中区", 50, "10:00-22:00", False),
    ("兴业农业科技园", "2A", "开发区", 0, "09:30-18:00", True),
    ("枫林观景台", "2A", "北山区", 0, "全天开放", True),
    ("翠柳湖垂钓园", "2A", "南湖区", 30, "07:00-20:00", False),
]
VISITOR_BASE = {
    "5A": (1200000, 2400000),
    "4A": (280000, 900000),
    "3A": (70000, 300000),
    "2A": (20000, 100000),
}
YEAR_FACTOR = {2019: 1.0, 2020: 0.46, 2021: 0.72, 2022: 0.52, 2023: 1.12, 2024: 1.24, 2025: 1.31}


@dataset
def scenic_spots() -> Dataset:
    rng = rng_for("scenic")
    spots, visits = [], []
    for n, (name, grade, district, price, hours, rural) in enumerate(SCENIC_SPOTS, start=1):
        spot_id = f"JQ{n:03d}"
        gx, gy = (
            rural_point(rng, district)
            if rural and district in RURAL_AREAS
            else urban_point(rng, district)
        )
        lon, lat = lonlat(gx, gy)
        lo, hi = VISITOR_BASE[grade]
        base = rng.randint(lo, hi)
        first_year = {"5A": 2003, "4A": 2006, "3A": 2010, "2A": 2012}[grade]
        spots.append(
            (
                spot_id,
                name,
                grade,
                district,
                address_at(rng, gx, gy),
                landline(rng),
                hours,
                float(price),
                int(round(base / 365 * rng.uniform(2.5, 4.0), -2)),
                random_date(rng, dt.date(first_year, 1, 1), dt.date(2024, 12, 31)),
                lon,
                lat,
            )
        )
        for year, factor in YEAR_FACTOR.items():
            visitors = round(base * factor * rng.uniform(0.9, 1.1))
            visits.append((spot_id, year, visitors, round(visitors * price * 0.72 / 10000, 1)))
    spot_fields = [
        Field("spot_id", "string", "景区编号", required=True),
        Field("spot_name", "string", "景区名称", required=True),
        Field("grade", "string", "A 级等级", enum=["5A", "4A", "3A", "2A"], required=True),
        f_district(),
        f_address(),
        f_phone("咨询电话"),
        Field("open_hours", "string", "开放时间", "北京时间"),
        Field("ticket_yuan", "number", "门票价格（元）", "成人全价票，0 表示免费"),
        Field("max_daily_visitors", "integer", "日最大承载量（人次）"),
        Field("rated_date", "date", "评定日期", "取得现有等级的日期"),
        f_lon(),
        f_lat(),
    ]
    visit_fields = [
        Field("spot_id", "string", "景区编号", required=True),
        Field("year", "year", "年份", required=True),
        Field("visitors", "integer", "接待游客（人次）", minimum=0),
        Field("ticket_revenue_10k_yuan", "number", "门票收入（万元）"),
    ]
    return Dataset(
        name="scenic-spots",
        title="A 级旅游景区名录及接待情况",
        title_en="Graded tourist attractions and visitor numbers",
        description="云川市 A 级旅游景区的名称、等级、地址、开放时间、门票价格和最大承载量，以及 "
        "2019 年以来各景区年度接待游客人次和门票收入。",
        description_en="Yunchuan's graded (A-level) tourist attractions with grade, address, "
        "opening hours, ticket price and capacity, and yearly visitors and ticket revenue since "
        "2019.",
        publisher="wlj",
        theme="tourism",
        keywords=["旅游", "景区", "A级景区", "游客", "门票"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="irregular",
        issued=dt.date(2020, 8, 18),
        modified=dt.date(2026, 2, 26),
        temporal=(dt.date(2019, 1, 1), dt.date(2025, 12, 31)),
        tables=[
            Table("scenic-spots", "A 级景区名录", spot_fields, spots, ["spot_id"]),
            Table(
                "scenic-visitors",
                "年度接待情况",
                visit_fields,
                visits,
                ["spot_id", "year"],
                foreign_keys=[foreign_key("spot_id", "scenic-spots")],
            ),
        ],
        background=[
            "景区等级由旅游景区质量等级评定委员会评定，名录在新评定、复核或摘牌后更新，"
            "因此为不定期更新。",
            "年度接待人次由景区通过旅游统计系统报送，免费开放的公园广场按客流监测数据推算。",
        ],
        notes=[
            "季节性开放的景区已在开放时间中注明开放月份。",
            "门票收入按实际售票统计，含优惠票，不含景区内二次消费。",
        ],
    )


# ------------------------------------------------------------------------ 气象

WEATHER_STATIONS = [
    ("W01", "云川国家基本气象站", "国家基本气象站", (6.6, 4.4), 921),
    ("W02", "北山国家气象观测站", "国家一般气象站", (2.2, -3.1), 1386),
    ("W03", "南湖国家气象观测站", "国家一般气象站", (14.6, 10.2), 842),
    ("W04", "高新区自动气象站", "区域自动气象站", (11.1, 0.9), 887),
    ("W05", "开发区自动气象站", "区域自动气象站", (-1.8, 9.4), 806),
    ("W06", "西沟镇自动气象站", "区域自动气象站", (0.4, -7.1), 1934),
]
WIND_DIRECTIONS = {
    "北": 9,
    "东北": 6,
    "东": 4,
    "东南": 7,
    "南": 11,
    "西南": 6,
    "西": 5,
    "西北": 14,
    "静风": 3,
}


@dataset
def weather_daily() -> Dataset:
    rng = rng_for("weather")
    start, end = dt.date(2025, 11, 10), dt.date(2026, 11, 9)
    stations = []
    for sid, name, level, (gx, gy), altitude in WEATHER_STATIONS:
        lon, lat = lonlat(gx, gy)
        stations.append((sid, name, level, district_at(gx, gy).name, lon, lat, float(altitude)))
    rows = []
    anomaly = 0.0
    for day in day_range(start, end):
        doy = day.timetuple().tm_yday
        season = math.sin(2 * math.pi * (doy - 110) / 365)  # +1 in late July
        anomaly = 0.8 * anomaly + rng.gauss(0, 1.6)
        wet_chance = 0.16 + 0.1 * max(0.0, math.sin(2 * math.pi * (doy - 60) / 365))
        wet_day = rng.random() < wet_chance
        city_rain = rng.gammavariate(0.8, 4.0) if wet_day else 0.0
        cloud = min(1.0, max(0.0, rng.gauss(0.75 if wet_day else 0.3, 0.2)))
        for sid, _, _, _, altitude in WEATHER_STATIONS:
            mean = 7.5 + 19.0 * season + anomaly - 0.6 * (altitude - 900) / 100 + rng.gauss(0, 0.6)
            spread = (10.0 + 3.0 * season) * (1.0 - 0.45 * cloud)
            rain = round(city_rain * rng.uniform(0.5, 1.6) * (1.3 if altitude > 1300 else 1.0), 1)
            day_length = 12.2 + 3.2 * season
            sunshine = round(max(0.0, day_length * (1 - cloud) * rng.uniform(0.8, 1.0)), 1)
            humidity = round(min(98, max(15, 52 - 16 * season + 26 * cloud + rng.gauss(0, 5))))
            wind = round(max(0.3, rng.gammavariate(2.2, 1.1) + (1.2 if altitude > 1300 else 0)), 1)
            if rain >= 0.1:
                if mean < -1:
                    sky = "小雪" if rain < 2.5 else "中雪" if rain < 5 else "大雪"
                elif mean < 2:
                    sky = "雨夹雪"
                elif season > 0.5 and rng.random() < 0.4:
                    sky = "雷阵雨"
                else:
                    sky = "小雨" if rain < 10 else "中雨" if rain < 25 else "大雨"
            else:
                rain = 0.0
                sky = "晴" if cloud < 0.3 else "多云" if cloud < 0.7 else "阴"
            rows.append(
                (
                    sid,
                    day,
                    round(mean + spread / 2, 1),
                    round(mean - spread / 2, 1),
                    round(mean, 1),
                    rain,
                    humidity,
                    wind,
                    weighted(rng, WIND_DIRECTIONS),
                    sunshine,
                    sky,
                )
            )
    station_fields = [
        Field("station_id", "string", "站号", required=True),
        Field("station_name", "string", "站名", required=True),
        Field(
            "station_level",
            "string",
            "站点级别",
            enum=["国家基本气象站", "国家一般气象站", "区域自动气象站"],
        ),
        f_district(),
        f_lon(),
        f_lat(),
        Field("altitude_m", "number", "海拔高度（米）"),
    ]
    fields = [
        Field("station_id", "string", "站号", required=True),
        Field("date", "date", "日期", required=True),
        Field("temp_max", "number", "最高气温（℃）"),
        Field("temp_min", "number", "最低气温（℃）"),
        Field("temp_mean", "number", "平均气温（℃）"),
        Field("precipitation_mm", "number", "降水量（毫米）", "20 时至次日 20 时累计", minimum=0),
        Field("humidity_pct", "integer", "平均相对湿度（%）", minimum=0, maximum=100),
        Field("wind_speed_ms", "number", "平均风速（米/秒）", minimum=0),
        Field("wind_direction", "string", "最多风向"),
        Field("sunshine_h", "number", "日照时数（小时）", minimum=0),
        Field("weather", "string", "天气现象"),
    ]
    return Dataset(
        name="weather-daily",
        title="气象观测日值数据",
        title_en="Daily weather observations",
        description="云川市国家气象观测站和区域自动气象站逐日的气温、降水、湿度、风和日照观测数据。",
        description_en="Daily temperature, precipitation, humidity, wind and sunshine observed at "
        "national and regional weather stations in Yunchuan.",
        publisher="qxj",
        theme="weather",
        keywords=["气象", "气温", "降水", "天气", "日照"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="daily",
        issued=dt.date(2021, 1, 15),
        modified=dt.date(2026, 11, 12),
        temporal=(start, end),
        tables=[
            Table("weather-stations", "观测站点", station_fields, stations, ["station_id"]),
            Table(
                "weather-daily",
                "逐日观测",
                fields,
                rows,
                ["station_id", "date"],
                foreign_keys=[foreign_key("station_id", "weather-stations")],
            ),
        ],
        background=[
            "观测数据经云川市气象局质量控制后每日发布，北京时 20 时为日界。"
            "区域自动气象站未观测日照，其日照时数由邻近国家站按云量订正估算。",
            "本数据集仅为实况观测，不含天气预报和预警信息。",
        ],
        notes=[
            "降水量为 0 表示无降水或微量降水。",
            "`weather` 为当日主要天气现象，由观测员或自动观测判识。",
        ],
    )


# ------------------------------------------------------------------------ 住建

HOUSING_PREFIXES = (
    "翠湖 锦绣 天悦 观澜 云樾 湖畔 御景 海棠 紫薇 银河 学府 东方 世纪 金域 中央 星河 春晓 青枫 "
    "雅居 华府 铂悦 静湖 书香 阳光 怡和 嘉禾 澜庭 丽景 香榭 明珠 泰和 润园 北辰 南山 博雅 和园 "
    "天骄 瑞府 雪岭 丝路"
).split()
HOUSING_SUFFIXES = ("雅苑 花园 府 公馆 华庭 名邸 壹号 家园 新城 里 湾 苑").split()
PRICE_LEVEL = {
    "云中区": 11800,
    "高新区": 12600,
    "湖滨区": 10900,
    "川东区": 8900,
    "新城区": 9300,
    "南湖区": 9800,
    "开发区": 7600,
    "北山区": 6800,
}


@dataset
def housing_projects() -> Dataset:
    rng = rng_for("housing")
    developers = [
        b.name
        for b in business_register().published
        if b.industry == "房地产业" and b.entity_type == "有限责任公司" and "经纪" not in b.name
    ]
    taken: set[str] = set()
    projects = []
    while len(projects) < 320:
        usage = weighted(rng, {"住宅": 70, "住宅及商业": 18, "商业": 7, "办公": 5})
        suffixes = (
            HOUSING_SUFFIXES if usage.startswith("住宅") else ["广场", "中心", "大厦", "商业街"]
        )
        name = rng.choice(HOUSING_PREFIXES) + rng.choice(suffixes)
        if name in taken:
            name += rng.choice(["二期", "三期", "四期"])
            if name in taken:
                continue
        taken.add(name)
        gx, gy = urban_point(rng)
        district = district_at(gx, gy).name
        permit_date = random_date(rng, dt.date(2019, 1, 1), dt.date(2026, 10, 31))
        if usage.startswith("住宅"):
            buildings = rng.randint(2, 18)
            units = buildings * rng.randint(40, 140)
        else:
            buildings = rng.randint(1, 4)
            units = rng.randint(30, 400)
        area = round(units * rng.uniform(85, 128), 2)
        age_years = (DEMO_DAY - permit_date).days / 365
        sold = (
            units
            if age_years > 3.5
            else min(units, round(units * min(1.0, age_years / 3 + rng.uniform(0, 0.2))))
        )
        price = round(
            PRICE_LEVEL[district]
            * (1 + 0.025 * (permit_date.year - 2019))
            * rng.uniform(0.85, 1.2),
            -1,
        )
        projects.append(
            (
                permit_date,
                name,
                rng.choice(developers),
                district,
                address_at(rng, gx, gy),
                usage,
                buildings,
                units,
                area,
                sold,
                float(price),
                "售罄" if sold >= units else "在售",
            )
        )
    projects.sort(key=lambda p: (p[0], p[1]))
    permits: dict[int, int] = {}
    rows = []
    for n, (permit_date, name, developer, district, address, usage, *figures) in enumerate(
        projects, start=1
    ):
        permits[permit_date.year] = permits.get(permit_date.year, 0) + 1
        permit = f"云川房预售字〔{permit_date.year}〕第{permits[permit_date.year]:03d}号"
        rows.append(
            (f"FC{n:04d}", name, developer, district, address, permit, permit_date, usage, *figures)
        )
    fields = [
        Field("project_id", "string", "项目编号", required=True),
        Field("project_name", "string", "项目名称", required=True),
        Field("developer", "string", "开发企业"),
        f_district(),
        Field("address", "string", "项目坐落"),
        Field("presale_permit", "string", "预售许可证号"),
        Field("permit_date", "date", "预售许可日期"),
        Field("usage", "string", "规划用途", enum=["住宅", "住宅及商业", "商业", "办公"]),
        Field("buildings", "integer", "预售楼栋数", minimum=0),
        Field("units", "integer", "预售套数", minimum=0),
        Field("presale_area_m2", "number", "预售面积（平方米）"),
        Field("sold_units", "integer", "已网签套数", minimum=0),
        Field("avg_price_yuan_m2", "number", "备案均价（元/平方米）"),
        Field("status", "string", "销售状态", enum=["在售", "售罄"]),
    ]
    return Dataset(
        name="housing-projects",
        title="商品房预售项目信息",
        title_en="New housing projects on pre-sale",
        description="取得商品房预售许可的项目名称、开发企业、坐落、预售许可证号、套数、面积、"
        "备案均价和网签进度。",
        description_en="Housing projects licensed for pre-sale: developer, location, permit "
        "number, units, floor area, registered average price and contracts signed.",
        publisher="zjj",
        theme="housing",
        keywords=["商品房", "预售许可", "楼盘", "房价", "网签"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="monthly",
        issued=dt.date(2019, 7, 1),
        modified=dt.date(2026, 11, 3),
        temporal=(dt.date(2019, 1, 1), dt.date(2026, 10, 31)),
        tables=[Table("housing-projects", "预售项目", fields, rows, ["project_id"])],
        background=[
            "购房前请核对项目的预售许可证号和预售范围，只有取得预售许可的楼栋才能对外销售。"
            "网签套数来自商品房网签备案系统，每月初更新至上月末。",
        ],
        notes=[
            "备案均价为开发企业申报并经备案的价格，实际成交价以网签合同为准。",
            "取得许可满三年半的项目按售罄处理，尾房信息不再单独公布。",
        ],
    )


# ------------------------------------------------------------------------ 公安

DISTRICT_WEIGHT = {
    "云中区": 0.21,
    "川东区": 0.15,
    "新城区": 0.14,
    "湖滨区": 0.12,
    "高新区": 0.12,
    "北山区": 0.09,
    "南湖区": 0.09,
    "开发区": 0.08,
}


@dataset
def traffic_accidents() -> Dataset:
    rng = rng_for("accidents")
    rows = []
    for year, month in months((2019, 1), (2026, 8)):
        season = {12: 1.22, 1: 1.25, 2: 1.12, 11: 1.1, 10: 1.05}.get(month, 1.0)
        trend = 0.975 ** (year - 2019)
        covid = (
            0.5
            if (year, month) in ((2020, 2), (2020, 3))
            else 0.8
            if (year, month) == (2020, 4)
            else 1.0
        )
        for district, weight in DISTRICT_WEIGHT.items():
            accidents = poisson(rng, 210 * weight * season * trend * covid)
            deaths = poisson(rng, accidents * 0.055)
            injuries = max(0, accidents + poisson(rng, accidents * 0.18) - deaths)
            loss = accidents * rng.randint(5200, 11800)
            rows.append((year, month, district, accidents, deaths, injuries, loss))
    fields = [
        Field("year", "year", "年份", required=True),
        Field("month", "integer", "月份", minimum=1, maximum=12, required=True),
        f_district(),
        Field("accidents", "integer", "事故起数", minimum=0),
        Field("deaths", "integer", "死亡人数", minimum=0),
        Field("injuries", "integer", "受伤人数", minimum=0),
        Field("direct_loss_yuan", "integer", "直接财产损失（元）", minimum=0),
    ]
    return Dataset(
        name="traffic-accidents-monthly",
        title="道路交通事故月度统计",
        title_en="Monthly road traffic accident statistics",
        description="云川市各区每月发生的道路交通事故起数、死亡人数、"
        "受伤人数和直接财产损失（仅含造成人员伤亡的事故）。",
        description_en="Monthly number of road traffic accidents with casualties, deaths, "
        "injuries and direct property loss in each district of Yunchuan.",
        publisher="gaj",
        theme="public-safety",
        keywords=["交通事故", "道路安全", "伤亡", "交警"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="monthly",
        issued=dt.date(2020, 2, 14),
        modified=dt.date(2026, 9, 18),
        temporal=(dt.date(2019, 1, 1), dt.date(2026, 8, 31)),
        tables=[
            Table("traffic-accidents", "月度事故统计", fields, rows, ["year", "month", "district"])
        ],
        background=[
            "统计口径为公安交通管理部门立案处理的造成人员伤亡的道路交通事故，"
            "不含适用简易程序处理的财产损失事故。",
            "冬季冰雪路面期间（11 月至次年 2 月）事故明显增多，请注意出行安全。",
        ],
        notes=[
            "死亡人数为事故发生后 7 日内死亡的人数。",
            "2020 年 2 月至 4 月出行量大幅下降，事故数随之减少，做趋势分析时请注意。",
        ],
    )


# ------------------------------------------------------------------------ 人社

FAIR_PROGRAMMES = [
    (range(1, 4), "春风行动", "综合类"),
    (range(5, 6), "民营企业招聘月", "综合类"),
    (range(5, 9), "高校毕业生就业服务", "高校毕业生专场"),
    (range(9, 11), "金秋招聘月", "综合类"),
    (range(11, 13), "就业援助月", "就业援助专场"),
]
FAIR_VENUES = [
    ("云川市人力资源市场", "云中区"),
    ("云川国际会展中心", "川东区"),
    ("新城区就业服务中心", "新城区"),
    ("湖滨区就业服务中心", "湖滨区"),
    ("高新区人才服务中心", "高新区"),
    ("云川职业技术学院体育馆", "高新区"),
    ("开发区零工市场", "开发区"),
    ("南湖区就业服务中心", "南湖区"),
    ("北山区就业服务中心", "北山区"),
]


@dataset
def job_fairs() -> Dataset:
    rng = rng_for("fairs")
    rows = []
    start, last = dt.date(2023, 1, 4), dt.date(2026, 12, 30)
    day = start
    while day <= last:
        for offset in sorted(rng.sample(range(5), 2)):
            fair_day = day + dt.timedelta(days=offset)
            if fair_day > last:
                continue
            programme, kind = "", "综合类"
            for months_in, name, kind_in in FAIR_PROGRAMMES:
                if fair_day.month in months_in and rng.random() < 0.7:
                    programme, kind = name, kind_in
                    break
            if not programme and rng.random() < 0.35:
                kind = rng.choice(["退役军人专场", "女性就业专场", "零工对接专场", "线上直播带岗"])
            online = kind == "线上直播带岗" or rng.random() < 0.08
            venue, district = (
                ("云川就业公共服务网（线上）", "全市") if online else rng.choice(FAIR_VENUES)
            )
            label = programme or {"综合类": "综合", "零工对接专场": "零工对接"}.get(
                kind, kind.replace("专场", "")
            )
            mode = "线上" if online and "线上" not in label else ""
            name = f"{fair_day.year}年{label}{mode}招聘会（第{len(rows) + 1}期）"
            employers = rng.randint(20, 60) if online else rng.randint(30, 260)
            positions = employers * rng.randint(6, 22)
            status = "已举办" if fair_day <= dt.date(2026, 11, 18) else "计划举办"
            rows.append(
                (
                    f"ZP{fair_day.year}-{len(rows) + 1:04d}",
                    name,
                    fair_day,
                    "10:00",
                    "14:00" if not online else "16:00",
                    venue,
                    district,
                    kind,
                    employers,
                    positions,
                    online,
                    status,
                )
            )
        day += dt.timedelta(days=7)
    fields = [
        Field("fair_id", "string", "招聘会编号", required=True),
        Field("fair_name", "string", "招聘会名称", required=True),
        Field("fair_date", "date", "举办日期", required=True),
        Field("start_time", "string", "开始时间", "HH:MM"),
        Field("end_time", "string", "结束时间", "HH:MM"),
        Field("venue", "string", "举办地点"),
        Field("district", "string", "所属区县", "线上招聘会为“全市”"),
        Field("fair_type", "string", "招聘会类型"),
        Field("employers", "integer", "参会用人单位（家）", "计划举办的为报名数", minimum=0),
        Field("positions", "integer", "提供岗位（个）", minimum=0),
        Field("online", "boolean", "线上举办"),
        Field("status", "string", "状态", enum=["已举办", "计划举办"]),
    ]
    return Dataset(
        name="job-fairs",
        title="公共就业服务招聘会信息",
        title_en="Public job fairs",
        description="云川市各级公共就业服务机构举办的线下和线上招聘会的时间、地点、类型、"
        "参会单位数和岗位数，含已公布的后续场次。",
        description_en="Job fairs held online and on site by Yunchuan's public employment "
        "services: date, venue, type, employers and vacancies, including announced upcoming fairs.",
        publisher="rsj",
        theme="social",
        keywords=["就业", "招聘会", "岗位", "春风行动", "高校毕业生"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="weekly",
        issued=dt.date(2023, 1, 3),
        modified=dt.date(2026, 11, 18),
        temporal=(start, last),
        tables=[Table("job-fairs", "招聘会", fields, rows, ["fair_id"])],
        status={
            "state": "暂停",
            "since": "2026-11-20",
            "reason": {
                "zh": "计划场次的举办地点正在核对，核对完成后恢复",
                "en": "the venues of upcoming fairs are being checked; the data returns after that",
            },
        },
        background=[
            "公共就业服务机构举办的招聘会免费向求职者和用人单位开放。"
            "计划举办的场次可能因天气等原因调整，请以举办前三天的通知为准。",
        ],
        notes=[
            "岗位数为用人单位发布的岗位需求人数合计。",
            "“春风行动”“就业援助月”等为全国统一开展的公共就业服务专项活动。",
        ],
    )


# ===================================================== conditional datasets


@dataset
def enterprise_social_insurance() -> Dataset:
    rng = rng_for("social-insurance")
    rows = []
    for company in business_register().insured_employers:
        staff = max(3, round(rng.lognormvariate(2.8, 1.0)))
        wage = rng.uniform(4600, 12500)
        rate_injury = rng.choice([0.002, 0.004, 0.006, 0.008, 0.012])
        trouble = rng.random() < 0.06
        for year, month in months((2025, 10), (2026, 9)):
            staff = max(1, staff + round(rng.gauss(0, max(1, staff * 0.02))))
            base = round(staff * wage * rng.uniform(0.98, 1.02), 2)
            due = {
                "pension_employer": base * 0.16,
                "pension_employee": base * 0.08,
                "medical": base * 0.1,
                "unemployment": base * 0.01,
                "injury": base * rate_injury,
            }
            paid_share = (
                1.0 if not (trouble and rng.random() < 0.5) else rng.choice([0.0, 0.5, 0.7])
            )
            arrears = round(sum(due.values()) * (1 - paid_share), 2)
            status = (
                "足额缴纳" if paid_share == 1.0 else "未缴纳" if paid_share == 0 else "部分欠缴"
            )
            rows.append(
                (
                    company.code,
                    company.name,
                    year,
                    month,
                    staff,
                    base,
                    *(round(v * paid_share, 2) for v in due.values()),
                    arrears,
                    status,
                )
            )
    fields = [
        Field("credit_code", "string", "统一社会信用代码", required=True),
        Field("company_name", "string", "单位名称", required=True),
        Field("year", "year", "费款所属年份", required=True),
        Field("month", "integer", "费款所属月份", minimum=1, maximum=12, required=True),
        Field("insured_employees", "integer", "参保职工人数", minimum=0),
        Field("contribution_base_yuan", "number", "缴费基数合计（元）"),
        Field("pension_employer_yuan", "number", "养老保险单位缴纳（元）"),
        Field("pension_employee_yuan", "number", "养老保险个人缴纳（元）"),
        Field("medical_yuan", "number", "职工基本医疗保险缴纳（元）"),
        Field("unemployment_yuan", "number", "失业保险缴纳（元）"),
        Field("injury_yuan", "number", "工伤保险缴纳（元）"),
        Field("arrears_yuan", "number", "欠缴金额（元）"),
        Field("payment_status", "string", "缴费状态"),
    ]
    return Dataset(
        name="enterprise-social-insurance",
        title="企业社会保险缴纳明细",
        title_en="Social insurance contributions by employer",
        description="辖区企业逐月的参保职工人数、缴费基数和各险种缴纳金额及欠缴情况。",
        description_en="Monthly number of insured employees, contribution base, amounts paid per "
        "insurance scheme and arrears for each employer.",
        publisher="rsj",
        theme="social",
        keywords=["社会保险", "社保缴纳", "参保", "欠缴", "企业信用"],
        open_type="有条件开放",
        share_type="有条件共享",
        share_conditions="仅向承担劳动保障监察、税务征管和社会信用管理职责的部门共享，用于依法履职。",
        frequency="monthly",
        issued=dt.date(2024, 5, 6),
        modified=dt.date(2026, 11, 10),
        temporal=(dt.date(2025, 10, 1), dt.date(2026, 9, 30)),
        tables=[
            Table("contributions", "社保缴纳明细", fields, rows, ["credit_code", "year", "month"])
        ],
        open_conditions="仅向依法开展劳动保障监察、"
        "公共信用评价或金融信贷风险评估的机关和持牌金融机构提供；申请人须说明用途、"
        "数据范围和使用期限，签署数据安全承诺书，"
        "经云川市人力资源和社会保障局审核同意后通过数据接口获取，不得向第三方提供或公开。",
        legal_basis="《中华人民共和国社会保险法》第八十一条；"
        "《中华人民共和国数据安全法》第二十一条；《云川市公共数据管理办法》第十八条",
        contact_name="社会保险经办管理科",
        background=[
            "本数据集反映用人单位的社会保险缴费情况，可用于信用评价、融资授信和劳动保障监察。"
            "由于缴费基数可推算单位工资总额，涉及企业经营信息，按有条件开放管理。",
        ],
        notes=[
            "缴费金额按费款所属期统计，补缴记入原所属期。",
            "数据不含职工个人明细。",
        ],
    )


@dataset
def real_estate_registration() -> Dataset:
    rng = rng_for("real-estate")
    property_right = "国有建设用地使用权及房屋所有权"
    first_registration = f"{property_right}首次登记"  # new buildings: many units per case
    kinds = {
        first_registration: 0.10,
        f"{property_right}转移登记": 0.32,
        f"{property_right}变更登记": 0.08,
        "抵押权首次登记": 0.30,
        "抵押权注销登记": 0.14,
        "预购商品房预告登记": 0.06,
    }
    rows = []
    for year, month in months((2024, 10), (2026, 10)):
        season = 0.7 if month in (1, 2) else 1.15 if month in (4, 5, 9, 10) else 1.0
        for district, weight in DISTRICT_WEIGHT.items():
            for kind, share in kinds.items():
                cases = poisson(rng, 5200 * weight * share * season)
                units = cases + poisson(rng, cases * (0.6 if kind == first_registration else 0.05))
                area = round(units * rng.uniform(88, 118), 2)
                mortgage = (
                    round(cases * rng.uniform(38, 72), 1) if kind == "抵押权首次登记" else None
                )
                rows.append(
                    (
                        year,
                        month,
                        district,
                        kind,
                        cases,
                        units,
                        area,
                        mortgage,
                        round(rng.uniform(1.2, 4.8), 1),
                    )
                )
    fields = [
        Field("year", "year", "年份", required=True),
        Field("month", "integer", "月份", minimum=1, maximum=12, required=True),
        f_district(),
        Field("registration_type", "string", "登记类型", required=True),
        Field("cases", "integer", "登记件数", minimum=0),
        Field("units", "integer", "涉及不动产单元数", minimum=0),
        Field("area_m2", "number", "涉及建筑面积（平方米）"),
        Field("mortgage_10k_yuan", "number", "被担保主债权数额（万元）", "仅设立抵押的登记填写"),
        Field("avg_days", "number", "平均办理时长（工作日）"),
    ]
    return Dataset(
        name="real-estate-registration",
        title="不动产登记业务汇总",
        title_en="Real estate registration summary",
        description="按月、按区和登记类型汇总的不动产登记件数、涉及单元数、建筑面积、"
        "抵押担保债权金额和平均办理时长。",
        description_en="Monthly real estate registrations by district and type: cases, units, "
        "floor area, secured mortgage amount and average processing time.",
        publisher="zrzyj",
        theme="housing",
        keywords=["不动产登记", "抵押", "房地产市场", "交易"],
        open_type="依申请开放",
        share_type="有条件共享",
        share_conditions="仅向承担住房保障、税收征管和金融监管职责的部门共享，用于依法履职。",
        frequency="monthly",
        issued=dt.date(2024, 12, 2),
        modified=dt.date(2026, 11, 6),
        temporal=(dt.date(2024, 10, 1), dt.date(2026, 10, 31)),
        tables=[
            Table(
                "registrations",
                "登记业务汇总",
                fields,
                rows,
                ["year", "month", "district", "registration_type"],
            )
        ],
        open_conditions="仅向政府部门、金融机构以及经备案的高等院校和科研机构提供，"
        "用于房地产市场监测、金融风险评估和学术研究；申请人须提交用途说明和数据安全保护方案，"
        "研究成果公开时只能使用区级以上汇总结果。",
        legal_basis="《不动产登记暂行条例》第二十七条、第二十八条；"
        "《中华人民共和国数据安全法》第二十一条；《云川市公共数据管理办法》第十八条",
        contact_name="不动产登记中心",
        background=[
            "汇总数据由云川市不动产登记中心按登记簿记载事项统计，可反映房地产交易和信贷活跃程度。"
            "数据在区一级汇总后仍可能影响市场预期，按依申请开放管理。",
        ],
        notes=[
            "登记件数按受理登簿时间统计，撤回和不予登记的件不计入。",
        ],
    )


DIAGNOSES = {
    "门诊": (
        "上呼吸道感染 急性支气管炎 高血压 2型糖尿病 慢性胃炎 腰椎间盘突出症 龋齿 过敏性鼻炎 "
        "结膜炎 湿疹"
    ).split(),
    "急诊": ["急性胃肠炎", "软组织挫伤", "发热", "急性荨麻疹", "肾结石"],
    "住院": (
        "社区获得性肺炎 冠心病 脑梗死 胆囊结石 急性阑尾炎 股骨颈骨折 慢性阻塞性肺疾病 正常分娩 "
        "剖宫产 老年性白内障"
    ).split(),
    "门诊慢特病": ["高血压", "2型糖尿病", "慢性肾脏病", "恶性肿瘤门诊治疗", "冠心病"],
}


@dataset
def medical_insurance_settlements() -> Dataset:
    rng = rng_for("settlements")
    all_institutions = institutions()
    hospitals = [i for i in all_institutions if i.beds > 0 and i.category not in ("门诊部", "诊所")]
    # The healthcare security bureau keys providers by its own national code (H + region +
    # number), not by the health commission's directory number.
    provider_code = {
        inst.id: f"H{DISTRICT_BY_NAME[inst.district].code}{n:05d}"
        for n, inst in enumerate(all_institutions, start=1)
    }
    records = []
    issued_ids: set[str] = set()
    for _ in range(2400):
        visit = weighted(rng, {"门诊": 55, "急诊": 8, "住院": 17, "门诊慢特病": 20})
        inst = rng.choice(hospitals if visit in ("住院", "急诊") else all_institutions)
        day = random_date(rng, dt.date(2026, 8, 1), dt.date(2026, 10, 31))
        settled_at = dt.datetime.combine(
            day, dt.time(rng.randint(7, 21), rng.randrange(60), rng.randrange(60))
        )
        female = rng.random() < 0.52 if visit != "住院" else rng.random() < 0.5
        diagnosis = rng.choice(DIAGNOSES[visit])
        if diagnosis in ("正常分娩", "剖宫产"):
            female = True
        age_range = (
            (22, 38)
            if diagnosis in ("正常分娩", "剖宫产")
            else (1, 90)
            if visit != "门诊慢特病"
            else (40, 88)
        )
        birth = random_date(
            rng, dt.date(2026 - age_range[1], 1, 1), dt.date(2026 - age_range[0], 6, 30)
        )
        while True:
            region = rng.choice(DISTRICTS).code
            id_number = resident_id(rng, region, birth, female)
            if id_number not in issued_ids:
                issued_ids.add(id_number)
                break
        scheme = "职工医保" if 18 <= 2026 - birth.year <= 70 and rng.random() < 0.55 else "居民医保"
        total = {
            "门诊": rng.uniform(40, 650),
            "急诊": rng.uniform(120, 1800),
            "住院": rng.lognormvariate(9.2, 0.6),
            "门诊慢特病": rng.uniform(180, 2600),
        }[visit]
        share = {("住院", "职工医保"): 0.86, ("住院", "居民医保"): 0.66}.get((visit, scheme), 0.55)
        total = round(total, 2)
        fund = round(total * share * rng.uniform(0.92, 1.0), 2)
        stay = max(1, round(rng.lognormvariate(2.0, 0.5))) if visit == "住院" else 0
        records.append(
            (
                settled_at,
                provider_code[inst.id],
                "未定级" if inst.grade == "未定级" else inst.grade[:2],
                person_name(rng, female),
                id_number,
                "女" if female else "男",
                scheme,
                visit,
                diagnosis,
                stay,
                total,
                fund,
                round(total - fund, 2),
            )
        )
    records.sort(key=lambda r: (r[0], r[1]))
    counter: dict[dt.date, int] = {}
    rows = []
    for record in records:
        day = record[0].date()
        counter[day] = counter.get(day, 0) + 1
        rows.append((f"JS{day:%Y%m%d}-{counter[day]:04d}", *record))
    fields = [
        Field("settlement_id", "string", "结算流水号", required=True),
        Field("settled_at", "datetime", "结算时间", required=True),
        Field(
            "provider_code", "string", "定点医疗机构代码", "医保信息业务编码中的定点医疗机构代码"
        ),
        Field("provider_level", "string", "医疗机构级别"),
        Field("insured_name", "string", "参保人姓名", sensitive="name"),
        Field("id_number", "string", "参保人身份证件号码", sensitive="id_number"),
        Field("sex", "string", "性别"),
        Field("scheme", "string", "险种"),
        Field("visit_type", "string", "就诊类型"),
        Field("diagnosis", "string", "主要诊断", sensitive="health"),
        Field("hospital_days", "integer", "住院天数", minimum=0),
        Field("total_cost_yuan", "number", "医疗费用总额（元）"),
        Field("fund_paid_yuan", "number", "统筹基金支付（元）"),
        Field("personal_paid_yuan", "number", "个人负担（元）"),
    ]
    return Dataset(
        name="medical-insurance-settlements",
        title="医保定点医药机构结算明细",
        title_en="Medical insurance settlements at designated providers",
        description="参保人在云川市定点医药机构就医时基本医疗保险的逐笔结算记录，含费用总额、"
        "基金支付和个人负担。",
        description_en="Individual settlement records of basic medical insurance at Yunchuan's "
        "designated providers, with total cost, fund share and out-of-pocket share.",
        publisher="ybj",
        theme="health",
        keywords=["医保", "医疗保险", "结算", "定点医院", "基金监管"],
        open_type="有条件开放",
        share_type="有条件共享",
        share_conditions="仅向承担卫生健康管理和医保基金监管职责的部门共享，用于依法履职。",
        frequency="monthly",
        issued=dt.date(2025, 3, 3),
        modified=dt.date(2026, 11, 8),
        temporal=(dt.date(2026, 8, 1), dt.date(2026, 10, 31)),
        tables=[Table("settlements", "结算明细", fields, rows, ["settlement_id"])],
        open_conditions="仅向承担医保基金监管、"
        "公共卫生研究任务的机关和通过伦理审查的科研机构提供；申请人须签署数据使用协议，"
        "在云川市公共数据授权运营环境内使用，原始明细不得导出，分析结果经脱敏审核后方可带出。",
        legal_basis="《中华人民共和国个人信息保护法》第二十八条、第三十四条；"
        "《医疗保障基金使用监督管理条例》；《云川市公共数据管理办法》第十八条",
        contact_name="医药服务管理科",
        background=[
            "结算明细是医保基金监管和医疗服务研究的重要数据。由于包含参保人身份信息和诊断信息，"
            "属于敏感个人信息，只能在授权运营环境中有条件使用。",
        ],
        notes=[
            "姓名、身份证件号码和诊断字段标记为敏感个人信息。",
            "如需公开发布统计结果，应按机构、险种等维度汇总，单元格人数少于 10 人的须合并或隐去。",
        ],
    )


# ============================================================ closed datasets


@dataset
def minimum_living_allowance() -> Dataset:
    rng = rng_for("dibao")
    reasons = ["因病", "因残", "失业", "年老体弱", "单亲家庭", "缺乏劳动能力"]
    rows = []
    issued_ids: set[str] = set()
    while len(rows) < 900:
        rural = rng.random() < 0.25
        district = (
            DISTRICT_BY_NAME[rng.choice(list(RURAL_AREAS))] if rural else rng.choice(DISTRICTS)
        )
        female = rng.random() < 0.48
        birth = random_date(rng, dt.date(1938, 1, 1), dt.date(2001, 12, 31))
        id_number = resident_id(rng, district.code, birth, female)
        if id_number in issued_ids:
            continue
        issued_ids.add(id_number)
        if rural:
            street = rng.choice(district.towns)
            village = rng.choice(VILLAGES)
            address = (
                f"{district.name}{street}{village}村{rng.randint(1, 9)}组{rng.randint(1, 80)}号"
            )
        else:
            street = rng.choice([s for s in district.streets if s not in district.towns])
            address = (
                f"{district.name}{street}{rng.choice(COMMUNITIES)}社区{rng.randint(1, 36)}号楼"
                f"{rng.randint(1, 6)}单元{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"
            )
        size = weighted(rng, {"1": 38, "2": 26, "3": 20, "4": 11, "5": 5})
        standard = 540 if rural else 680
        allowance = round(int(size) * standard * rng.uniform(0.35, 1.0), -1)
        approved = random_date(rng, dt.date(2012, 1, 1), dt.date(2026, 10, 31))
        rows.append(
            (
                f"DB{len(rows) + 1:05d}",
                person_name(rng, female),
                id_number,
                birth,
                "女" if female else "男",
                mobile(rng),
                district.name,
                street,
                address,
                int(size),
                "农村低保" if rural else "城市低保",
                float(allowance),
                rng.choice(reasons),
                approved.year,
                approved.month,
                "停保" if rng.random() < 0.08 else "在保",
            )
        )
    fields = [
        Field("record_id", "string", "保障编号", required=True),
        Field("name", "string", "户主姓名", sensitive="name", required=True),
        Field("id_number", "string", "户主身份证号码", sensitive="id_number", required=True),
        Field("birth_date", "date", "户主出生日期", sensitive="birth_date"),
        Field("sex", "string", "性别", quasi_identifier=True),
        Field("mobile", "string", "联系电话", sensitive="mobile"),
        replace(f_district(), quasi_identifier=True),
        Field("street", "string", "街道（乡镇）", quasi_identifier=True),
        Field("address", "string", "家庭住址", sensitive="address"),
        Field("household_size", "integer", "保障人数", minimum=1),
        Field("category", "string", "保障类别"),
        Field("monthly_allowance_yuan", "number", "月保障金额（元）"),
        Field("reason", "string", "主要致贫原因", sensitive="health"),
        Field("approved_year", "year", "纳入保障年份"),
        Field("approved_month", "integer", "纳入保障月份", minimum=1, maximum=12),
        Field("status", "string", "保障状态"),
    ]
    return Dataset(
        name="minimum-living-allowance",
        title="最低生活保障对象名单",
        title_en="Minimum living allowance recipients",
        description="城乡最低生活保障对象的户主身份信息、家庭住址、保障人数、保障金额和保障状态。",
        description_en="Recipients of the urban and rural minimum living allowance: head of "
        "household, address, household size, allowance and status.",
        publisher="mzj",
        theme="social",
        keywords=["低保", "社会救助", "最低生活保障"],
        open_type="非开放",
        share_type="有条件共享",
        share_conditions="仅向承担社会救助审核、教育资助和住房保障职责的部门共享，用于核对救助资格。",
        frequency="monthly",
        issued=dt.date(2023, 6, 1),
        modified=dt.date(2026, 11, 1),
        temporal=(dt.date(2012, 1, 1), dt.date(2026, 10, 31)),
        tables=[Table("recipients", "保障对象名单", fields, rows, ["record_id"])],
        legal_basis="《中华人民共和国个人信息保护法》第二十八条、第三十四条；"
        "《社会救助暂行办法》；《云川市公共数据管理办法》第十七条",
        contact_name="社会救助科",
        background=[
            "名单用于低保审核确认、动态管理和部门间救助信息比对，包含身份证号码、"
            "联系方式和家庭住址等个人信息，不向社会开放。各街道（乡镇）"
            "按规定在社区公示栏公示的信息以公示期为限。",
            "分区、分类别的低保人数和资金支出等统计数据由民政部门在统计公报中发布。",
        ],
        notes=[
            "姓名、身份证号码、联系电话、家庭住址和致贫原因字段标记为敏感个人信息。",
        ],
    )


# ------------------------------------------------- desensitised derivatives (脱敏)


@dataclass
class Derivative(Dataset):
    """An open dataset computed by Kaifang from a non-open one: no data file of its own.

    Each resource names the source resource, and every field of the source gets a
    desensitise rule (the portal refuses a derivative of non-open data with a field left
    out, and refuses `keep` for fields the source marks as personal data).
    """

    source: str = ""
    derived_resources: list[dict] = field(default_factory=list)

    def descriptor(self) -> dict:
        out = super().descriptor()
        out["resources"] = self.derived_resources
        # derived_from right after the title keys, where a reader looks first
        ordered = {}
        for key, value in out.items():
            ordered[key] = value
            if key == "description_en":
                ordered["derived_from"] = self.source
        return ordered


def rule(kind: str, **params: object) -> dict:
    return {"rule": kind, **params}


@dataset
def minimum_living_allowance_desensitised() -> Derivative:
    rules = {
        "record_id": rule("drop"),  # links rows back to the closed register
        "name": rule("drop"),
        # Only the region code of the ID number (the household registration's county,
        # public in the district column anyway). The last four digits, with the birth
        # year, sex and street, would let anyone who knows a person's ID number confirm
        # that this person receives the allowance.
        "id_number": rule("mask", keep_start=6, keep_end=0),
        # Birth year, sex, district and street left 794 of 900 households alone in their
        # group (88 %). Birth dates in three bands and no street: the smallest group of
        # region code, birth band, sex and district has 10 households (min_group_size 5).
        "birth_date": rule("generalise", bands=[1960, 1980]),
        "sex": rule("keep"),
        "mobile": rule("drop"),
        "district": rule("keep"),
        "street": rule("drop"),
        "address": rule("drop"),
        "household_size": rule("keep"),
        "category": rule("keep"),
        "monthly_allowance_yuan": rule("keep"),
        "reason": rule("drop"),  # health and disability: sensitive personal information
        "approved_year": rule("keep"),
        "approved_month": rule("keep"),
        "status": rule("keep"),
    }
    fields = [{"name": name, "desensitise": r} for name, r in rules.items()]
    fields[2]["title"] = "户籍地行政区划代码（身份证号码前 6 位）"
    fields[3]["title"] = "户主出生年代（1960 年前、1960–1979、1980 年及以后）"
    return Derivative(
        name="minimum-living-allowance-desensitised",
        title="最低生活保障对象名单（脱敏）",
        title_en="Minimum living allowance recipients (desensitised)",
        description="由非开放的最低生活保障对象名单脱敏生成：删除姓名、联系电话、家庭住址、街道和致贫原因，"
        "身份证号码只保留前 6 位，出生日期泛化为三个年代段；按户籍地、出生年代、性别和区县分组，"
        "每组至少 10 户。",
        description_en="Desensitised from the closed register of minimum living allowance "
        "recipients: names, phone numbers, addresses, streets and reasons removed, ID numbers "
        "masked to the region code, birth dates generalised to three bands; every group of "
        "region, birth band, sex and district holds at least 10 households.",
        publisher="mzj",
        theme="social",
        keywords=["低保", "社会救助", "脱敏数据"],
        open_type="无条件开放",
        share_type="无条件共享",
        frequency="monthly",
        issued=dt.date(2024, 3, 1),
        modified=dt.date(2026, 11, 1),
        temporal=(dt.date(2012, 1, 1), dt.date(2026, 10, 31)),
        tables=[],
        background=[
            "为便于社会监督和研究低保政策，民政局在不泄露个人信息的前提下发布低保对象名单的脱敏版本。"
            "本数据集由平台在每次发布时从非开放的源数据按字段规则自动生成，源数据的原始值不出现在平台上。",
        ],
        notes=[
            "删除：保障编号、姓名、联系电话、家庭住址、街道（乡镇）、主要致贫原因。",
            "遮盖：身份证号码只保留前 6 位（户籍地行政区划代码）。",
            "泛化：出生日期只保留年代段（1960 年前、1960–1979、1980 年及以后）。",
            "重识别风险：按户籍地、出生年代段、性别和区县（准标识符）分组，最小的一组有 10 户，"
            "高于平台要求的 5 户（参照 GB/T 37964-2019《个人信息去标识化指南》）。"
            "早先的版本保留出生年份和街道，900 户中有 794 户独自成组，已改为现在的规则。",
            "一行仍对应一户低保家庭；请勿尝试与其他数据关联以识别特定个人。",
        ],
        contact_name="社会救助科",
        source="minimum-living-allowance",
        derived_resources=[
            {
                "name": "recipients",
                "title": "保障对象名单（脱敏）",
                "source": "recipients",
                "schema": {"fields": fields},
            }
        ],
    )


VIOLATIONS = [
    ("驾驶机动车违反道路交通信号灯通行", 6, 200, 9),
    ("驾驶机动车在城市道路上超过规定时速百分之二十以上未达百分之五十", 6, 200, 5),
    ("驾驶机动车行经人行横道未按规定减速、停车、避让行人", 3, 200, 10),
    ("驾驶机动车时有拨打、接听手持电话等妨碍安全驾驶的行为", 3, 200, 8),
    ("驾驶机动车违反禁令标志、禁止标线指示", 1, 100, 22),
    ("机动车驾驶人未按规定使用安全带", 1, 50, 14),
    ("驾驶机动车未按规定车道行驶", 1, 100, 12),
    ("机动车违反规定停放", 0, 100, 20),
]


@dataset
def traffic_violation_records() -> Dataset:
    rng = rng_for("violations")
    rows = []
    start, end = dt.date(2026, 8, 1), dt.date(2026, 11, 20)
    moments = sorted(
        dt.datetime.combine(
            random_date(rng, start, end),
            dt.time(rng.randint(6, 23), rng.randrange(60), rng.randrange(60)),
        )
        for _ in range(2000)
    )
    drivers = []
    for _ in range(1500):
        female = rng.random() < 0.3
        district = rng.choice(DISTRICTS)
        birth = random_date(rng, dt.date(1958, 1, 1), dt.date(2006, 6, 30))
        drivers.append(
            (person_name(rng, female), resident_id(rng, district.code, birth, female), mobile(rng))
        )
    for n, moment in enumerate(moments, start=1):
        text, points, fine, _ = rng.choices(VIOLATIONS, weights=[v[3] for v in VIOLATIONS])[0]
        gx, gy = urban_point(rng)
        ix, iy = nearest_crossing(gx, gy)
        place = f"{NS_ROADS[ix]}与{EW_ROADS[iy]}交叉口"
        if rng.random() < 0.6:
            place += f"以{rng.choice('东南西北')}{rng.randrange(20, 300, 10)}米"
        driver = rng.choice(drivers)
        handled = rng.random() < (0.9 if moment.date() < dt.date(2026, 10, 20) else 0.45)
        rows.append(
            (
                f"WF{moment:%Y%m%d}-{n:05d}",
                moment,
                place,
                district_at(gx, gy).name,
                text,
                points,
                fine,
                *driver,
                handled,
            )
        )
    fields = [
        Field("record_id", "string", "违法记录编号", required=True),
        Field("occurred_at", "datetime", "违法时间", required=True),
        Field("location", "string", "违法地点"),
        f_district(),
        Field("violation", "string", "违法行为"),
        Field("points", "integer", "记分", minimum=0),
        Field("fine_yuan", "integer", "罚款金额（元）", minimum=0),
        Field("driver_name", "string", "驾驶人姓名", sensitive="name"),
        Field("license_number", "string", "驾驶证号", "与公民身份号码相同", sensitive="id_number"),
        Field("mobile", "string", "驾驶人联系电话", sensitive="mobile"),
        Field("handled", "boolean", "是否已处理"),
    ]
    return Dataset(
        name="traffic-violation-records",
        title="机动车驾驶人交通违法记录",
        title_en="Traffic violation records of drivers",
        description="公安交通管理部门记录的机动车驾驶人交通违法行为、记分、罚款和处理状态。",
        description_en="Traffic violations recorded by the traffic police with points, fines, "
        "driver identity and whether the case has been handled.",
        publisher="gaj",
        theme="public-safety",
        keywords=["交通违法", "记分", "驾驶人"],
        open_type="不予开放",
        share_type="不予共享",
        frequency="daily",
        issued=dt.date(2024, 9, 2),
        modified=dt.date(2026, 11, 21),
        temporal=(start, end),
        tables=[Table("violations", "交通违法记录", fields, rows, ["record_id"])],
        legal_basis="《中华人民共和国个人信息保护法》第三十四条；"
        "《中华人民共和国道路交通安全法》；《云川市公共数据管理办法》第十七条",
        contact_name="交通管理支队科技信息科",
        background=[
            "交通违法记录与驾驶人身份直接关联，属于行政执法过程中的个人信息，不向社会开放，"
            "也不在部门间共享。驾驶人本人可通过交通安全综合服务管理平台查询和处理本人的违法记录。",
            "按路段、时段汇总的交通违法统计可向公安交通管理部门申请。",
        ],
        notes=[
            "驾驶人姓名、驾驶证号和联系电话字段标记为敏感个人信息。",
        ],
    )


# ================================================================== writing


def assign_identifiers(datasets: list[Dataset]) -> None:
    """信息资源代码 YC-<department>-<year issued>-<number>, numbered per department."""
    counters: dict[str, int] = {}
    for ds in sorted(datasets, key=lambda d: (d.issued, d.name)):
        abbr = PUBLISHER_BY_ID[ds.publisher].abbr
        counters[abbr] = counters.get(abbr, 0) + 1
        ds.identifier = f"YC-{abbr}-{ds.issued.year}-{counters[abbr]:04d}"


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "n" in text:
            raise ValueError(f"number {value!r} would not be written as a plain decimal")
        return text
    return str(value)


def write_csv(path: Path, table: Table) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f.name for f in table.fields])
        for row in table.rows:
            writer.writerow([cell_text(v) for v in row])


ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def write_xlsx(path: Path, table: Table, created: dt.date, modified: dt.date) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.name[:31]
    sheet.append([f.name for f in table.fields])
    for row in table.rows:
        sheet.append(list(row))
    workbook.properties.creator = "云川市数据局"
    workbook.properties.title = table.title
    workbook.properties.created = dt.datetime.combine(created, dt.time())
    workbook.properties.modified = dt.datetime.combine(modified, dt.time())
    # openpyxl's save_workbook() stamps the current time into the properties and the
    # zip entries; write through ExcelWriter and re-pack with a fixed timestamp instead.
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(workbook, archive).save()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(path, "w") as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))


def render_readme(ds: Dataset) -> str:
    pub = PUBLISHER_BY_ID[ds.publisher]
    lines = [f"# {ds.title}", "", ds.description, ""]
    lines += ["## 背景", ""]
    for paragraph in ds.background:
        lines += [paragraph, ""]
    lines += ["## 数据说明", ""]
    for table in ds.tables:
        kind = "Excel 工作表" if table.fmt == "xlsx" else "CSV，UTF-8 编码"
        size = f"，共 {len(table.rows)} 行" if ds.access == "open" else ""
        lines.append(f"- **{table.title}**（`{table.path}`，{kind}{size}）")
    if isinstance(ds, Derivative):
        for res in ds.derived_resources:
            lines.append(
                f"- **{res['title']}**（CSV，由平台在发布时从非开放的源数据集 `{ds.source}` "
                "按字段脱敏规则生成，不含源数据的原始值）"
            )
    lines += ["", "### 注意事项", ""]
    for note in ds.notes:
        lines.append(f"- {note}")
    lines.append("")
    if ds.readme_extra:
        lines += [ds.readme_extra.rstrip(), ""]
    lines += ["## 使用说明", ""]
    if ds.access == "open":
        lines += [
            "本数据集无条件开放，可自由下载、使用和再发布，须遵守知识共享署名 4.0 "
            "国际许可协议（CC BY 4.0）。",
            "",
            "使用本数据开发的产品和服务应注明数据来源和获取日期，例如：",
            "",
            f"> {pub.zh}：《{ds.title}》，云川市公共数据开放平台，获取日期 YYYY-MM-DD。",
            "",
            "发现数据错误或有异议，请通过平台的“纠错反馈”渠道提交，"
            "数据提供部门核实后会答复处理结果。",
        ]
    elif ds.access == "conditional":
        lines += [
            "本数据集为有条件开放数据，平台只公布目录信息和字段说明，不提供数据下载或预览。",
            "",
            f"开放条件：{ds.open_conditions}",
            "",
            f"依据：{ds.legal_basis}",
            "",
            "符合条件的单位可通过平台的“数据申请”渠道提交申请，写明使用场景、所需字段和使用期限。"
            f"{pub.zh}应在 10 个工作日内答复。",
        ]
    else:
        lines += [
            "本数据集不予开放，平台只公布名称、提供部门和依据，不提供任何数据内容。",
            "",
            f"依据：{ds.legal_basis}",
            "",
            "如认为确有使用需要，可通过平台的“数据申请”渠道说明理由，由数据提供部门依法研究答复。",
        ]
    return "\n".join(lines) + "\n"


def dump_yaml(path: Path, data: object) -> None:
    text = yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False
    )
    path.write_text(text, encoding="utf-8")


# ------------------------------------------------- showcases, requests, terms (issue 18)

SHOWCASES = [
    {
        "id": "yunchuan-bus-app",
        "title": {"zh": "云川掌上公交", "en": "Yunchuan Bus on Hand"},
        "description": {
            "zh": "查询公交线路、站点和首末班时间，并在地图上显示附近的公共自行车站点。",
            "en": "Bus lines, stops and first and last buses, with nearby public bike "
            "stations on a map.",
        },
        "url": "https://apps.example.org/yunchuan-bus",
        "kind": "app",
        "author": "云川智行科技有限公司",
        "date": "2026-06-18",
        "datasets": ["bus-lines", "public-bike-stations"],
    },
    {
        "id": "ev-charging-gap",
        "title": {"zh": "各区充电设施缺口分析", "en": "Charging gaps by district"},
        "description": {
            "zh": "把充电站分布与常住人口对照，找出每万人充电桩最少的区。",
            "en": "Charging stations set against resident population to find the districts "
            "with the fewest chargers per 10,000 people.",
        },
        "url": "https://research.example.org/ev-charging-gap",
        "kind": "analysis",
        "author": "云川大学城市规划学院",
        "date": "2026-08-02",
        "datasets": ["ev-charging-stations", "population-by-district"],
    },
    {
        "id": "school-care-map",
        "title": {"zh": "课后托管地图", "en": "After-school care map"},
        "description": {
            "zh": "在地图上标出提供课后服务的中小学和服务时段。",
            "en": "Primary and secondary schools offering after-school care, and when, on a map.",
        },
        "url": "https://viz.example.org/school-care",
        "kind": "visualisation",
        "author": "云川开放数据志愿者小组",
        "date": "2026-09-10",
        "datasets": ["after-school-care", "schools"],
    },
    {
        "id": "air-weather-report",
        "title": {
            "zh": "秋冬季空气质量与气象条件",
            "en": "Air quality and weather in autumn and winter",
        },
        "description": {
            "zh": "报道引用空气质量日报与气象观测数据，说明静稳天气与污染的关系。",
            "en": "A news story using daily air quality and weather data on how still weather "
            "and pollution go together.",
        },
        "url": "https://news.example.org/air-weather",
        "kind": "news",
        "author": "云川日报",
        "date": "2026-10-21",
        "datasets": ["air-quality-daily", "weather-daily"],
    },
    {
        "id": "food-safety-paper",
        "title": {"zh": "食品安全抽检结果的空间分布", "en": "Where food safety checks fail"},
        "description": {
            "zh": "基于食品安全抽检和市场主体登记数据的空间统计研究。",
            "en": "A spatial study of food safety inspections and registered businesses.",
        },
        "url": "https://papers.example.org/food-safety",
        "kind": "paper",
        "author": "云川大学公共管理学院",
        "date": "2026-05-06",
        "datasets": ["food-safety-inspections", "licensed-businesses"],
    },
]

REQUESTS = [
    {
        "id": "2026-001-bus-realtime",
        "kind": "request",
        "title": {"zh": "希望开放公交车辆实时位置", "en": "Please open real-time bus positions"},
        "detail": {"zh": "用于开发到站提醒。", "en": "For arrival alerts."},
        "dataset": "bus-lines",
        "received": "2026-03-02",
        "reply": {
            "date": "2026-03-12",
            "text": {
                "zh": "已列入年度开放计划，预计第四季度以接口方式开放。",
                "en": "Planned for this year; expected as an API in the fourth quarter.",
            },
        },
    },
    {
        "id": "2026-002-bike-station",
        "kind": "correction",
        "title": {
            "zh": "部分公共自行车站点坐标偏移",
            "en": "Some bike station coordinates are off",
        },
        "dataset": "public-bike-stations",
        "received": "2026-04-08",
        "reply": {
            "date": "2026-04-15",
            "text": {
                "zh": "已核实并在下次更新中修正。",
                "en": "Checked; corrected in the next update.",
            },
        },
        "attachments": [
            {
                "title": "偏移站点截图",
                "url": "https://zwfw.yunchuan.gov.cn/opendata/files/2026-002.png",
            }
        ],
    },
    {
        "id": "2026-003-school-places",
        "kind": "request",
        "title": {"zh": "希望增加学校学位数", "en": "Please add school places"},
        "dataset": "schools",
        "received": "2026-05-11",
        "reply": {
            "date": "2026-05-30",
            "text": {
                "zh": "学位数已在教育统计资源中提供。",
                "en": "Places are in the education statistics resource.",
            },
        },
    },
    {
        "id": "2026-004-insurance-objection",
        "kind": "objection",
        "title": {
            "zh": "对医保结算数据开放类型的异议",
            "en": "Objection to the open type of insurance settlements",
        },
        "detail": {
            "zh": "认为汇总统计可以无条件开放。",
            "en": "Aggregates could be open without conditions.",
        },
        "dataset": "medical-insurance-settlements",
        "received": "2026-06-03",
        "reply": {
            "date": "2026-06-24",
            "text": {
                "zh": "明细数据涉及个人信息，维持有条件开放；将另行发布区级汇总统计。",
                "en": "The detail is personal data and stays conditional; district totals "
                "will be published separately.",
            },
        },
    },
    {
        "id": "2026-005-scenic-overdue",
        "kind": "complaint",
        "title": {"zh": "景区数据长期未更新", "en": "Scenic spot data not updated for long"},
        "dataset": "scenic-spots",
        "received": "2026-07-14",
        "reply": {
            "date": "2026-07-21",
            "text": {
                "zh": "已督促提供部门按季度更新。",
                "en": "The department has been told to update quarterly.",
            },
        },
    },
    {
        "id": "2026-006-ev-power",
        "kind": "correction",
        "title": {"zh": "充电桩功率单位有误", "en": "Wrong unit for charger power"},
        "dataset": "ev-charging-stations",
        "received": "2026-08-19",
        "reply": {
            "date": "2026-08-22",
            "text": {
                "zh": "已改为千瓦并补充字段说明。",
                "en": "Changed to kilowatts and described.",
            },
        },
    },
    {
        "id": "2026-007-parking",
        "kind": "request",
        "title": {"zh": "希望开放公共停车场泊位信息", "en": "Please open public car park spaces"},
        "publisher": "jtj",
        "received": "2026-10-28",
    },
]

TERMS_ZH = """\
## 云川市公共数据开放平台使用协议

使用本平台的数据，即表示你同意以下条款。

### 你的权利

- 免费获取、复制、传播和使用本平台无条件开放的数据，包括商业使用；
- 对数据提出纠错、异议和需求，并在规定时间内得到答复；
- 按开放条件申请有条件开放的数据。

### 你的义务

- 遵守法律法规，注明数据来源（提供部门和本平台）及获取日期；
- 不得利用数据从事违法活动，不得试图识别特定个人或与其他数据关联以识别个人；
- 不得歪曲数据原意，不得以本平台或提供部门的名义发布加工后的数据。

### 平台的责任

本平台对数据的准确性和及时性尽力保证，数据如有更新以平台最新版本为准；
因使用数据产生的后果由使用者承担。
"""

TERMS_EN = """\
## Yunchuan Open Data Portal: terms of use

By using this portal's data you agree to these terms.

### Your rights

- Get, copy, share and use the open data free of charge, commercially too;
- Report errors, object and ask for data, and get a reply in the stated time;
- Apply for conditional data under its conditions.

### Your duties

- Follow the law, and name the source (the department and this portal) and the date of access;
- Do not use the data unlawfully, nor try to identify individuals, alone or by linking data;
- Do not misrepresent the data or publish processed data in the name of the portal or a department.

### The portal

The portal takes care that data is accurate and timely; the latest version on the portal
is authoritative. Users bear the consequences of their use of the data.
"""


def write_community(out: Path) -> None:
    for folder, items in (("showcases", SHOWCASES), ("requests", REQUESTS)):
        target = out / folder
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for item in items:
            body = {k: v for k, v in item.items() if k != "id"}
            dump_yaml(target / f"{item['id']}.yaml", body)
    (out / "terms.md").write_text(TERMS_ZH, encoding="utf-8")
    (out / "terms.en.md").write_text(TERMS_EN, encoding="utf-8")


# ------------------------------------------------------------------- checks

LONG_DIGITS = re.compile(r"\d{11,}")


def check_dataset(ds: Dataset) -> list[str]:
    """Catch mistakes in this script before frictionless or the portal's audit does."""
    problems = []
    if ds.publisher not in PUBLISHER_BY_ID:
        problems.append(f"unknown publisher {ds.publisher}")
    if ds.frequency not in FREQUENCY_DAYS:
        problems.append(f"unknown frequency {ds.frequency}")
    if ds.access != "open" and not ds.legal_basis:
        problems.append("non-open dataset without legal_basis")
    if ds.access == "conditional" and not ds.open_conditions:
        problems.append("conditional dataset without open_conditions")
    keys: dict[str, set] = {}
    for table in ds.tables:
        names = [f.name for f in table.fields]
        index = {name: i for i, name in enumerate(names)}
        seen: set[tuple] = set()
        for row in table.rows:
            if len(row) != len(names):
                problems.append(f"{table.name}: row of {len(row)} cells for {len(names)} fields")
                break
            key = tuple(row[index[k]] for k in table.primary_key)
            if key in seen:
                problems.append(f"{table.name}: duplicate primary key {key}")
            seen.add(key)
            for f, value in zip(table.fields, row, strict=True):
                if f.required and value in (None, ""):
                    problems.append(f"{table.name}.{f.name}: empty required value")
                if ds.access == "open" and isinstance(value, str):
                    if LONG_DIGITS.search(value) or "@" in value:
                        problems.append(
                            f"{table.name}.{f.name}: personal-data-like value in open data"
                        )
                if f.sensitive == "id_number":
                    if (
                        len(value) != 18
                        or not value.startswith("99")
                        or resident_id_check(value[:17]) != value[17]
                    ):
                        problems.append(f"{table.name}.{f.name}: bad synthetic resident ID")
        keys[table.name] = seen
        for fk in table.foreign_keys:
            column = index[fk["fields"][0]]
            targets = keys.get(fk["reference"]["resource"], set())
            missing = {row[column] for row in table.rows if (row[column],) not in targets}
            if missing:
                problems.append(f"{table.name}: {len(missing)} foreign key values without a target")
    return [f"{ds.name}: {p}" for p in problems]


def overdue(ds: Dataset) -> bool:
    days = FREQUENCY_DAYS[ds.frequency]
    return days is not None and (DEMO_DAY - ds.modified).days > days


# --------------------------------------------------------------------- main


def build(out: Path) -> list[Dataset]:
    datasets = [builder() for builder in BUILDERS]
    names = [d.name for d in datasets]
    if len(set(names)) != len(names):
        raise SystemExit("duplicate dataset names")
    problems = [p for ds in datasets for p in check_dataset(ds)]
    if problems:
        raise SystemExit("catalog generation failed:\n  " + "\n  ".join(problems))
    assign_identifiers(datasets)

    out.mkdir(parents=True, exist_ok=True)
    dump_yaml(out / "site.yaml", site_descriptor())
    dump_yaml(out / "publishers.yaml", publishers_descriptor())
    write_community(out)
    datasets_dir = out / "datasets"
    if datasets_dir.exists():
        shutil.rmtree(datasets_dir)
    for ds in datasets:
        folder = datasets_dir / ds.name
        (folder / "data").mkdir(parents=True)
        dump_yaml(folder / "datapackage.yaml", ds.descriptor())
        (folder / "README.md").write_text(render_readme(ds), encoding="utf-8")
        for table in ds.tables:
            if table.fmt == "xlsx":
                write_xlsx(folder / table.path, table, ds.issued, ds.modified)
            else:
                write_csv(folder / table.path, table)
    return datasets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "catalog", help="catalog folder (default: catalog/)"
    )
    args = parser.parse_args(argv)
    datasets = build(args.out)
    for ds in datasets:
        tables = ", ".join(f"{t.name}.{t.fmt}={len(t.rows)}" for t in ds.tables)
        flag = "  OVERDUE" if overdue(ds) else ""
        print(f"{ds.name:32} {ds.publisher:6} {ds.access:11} {ds.frequency:9} {tables}{flag}")
    print(f"{len(datasets)} datasets written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
