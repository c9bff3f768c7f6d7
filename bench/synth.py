"""Synthetic catalogs for benchmarks and scale tests.

`make_catalog(root, n)` writes N datasets with realistic Chinese metadata, mixed open
types and small CSVs; `make_large_csv(path, rows)` writes one big resource with several
column types. Both are deterministic for the same arguments.

    python bench/synth.py catalog OUT_DIR --datasets 1000
    python bench/synth.py csv OUT.csv --rows 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

import yaml

DEPARTMENTS = [
    ("jtj", "交通运输局", "Transport Bureau", "transport"),
    ("jyj", "教育局", "Education Bureau", "education"),
    ("wjw", "卫生健康委员会", "Health Commission", "health"),
    ("scjgj", "市场监督管理局", "Market Regulation Administration", "market"),
    ("sthjj", "生态环境局", "Ecology and Environment Bureau", "environment"),
    ("tjj", "统计局", "Statistics Bureau", "population"),
    ("wlj", "文化和旅游局", "Culture and Tourism Bureau", "tourism"),
    ("qxj", "气象局", "Meteorological Bureau", "weather"),
    ("rsj", "人力资源和社会保障局", "Human Resources and Social Security Bureau", "social"),
    ("zjj", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau", "housing"),
    ("gaj", "公安局", "Public Security Bureau", "public-safety"),
    ("mzj", "民政局", "Civil Affairs Bureau", "social"),
]
THEMES = {
    "transport": ("交通出行", "Transport"),
    "education": ("教育文化", "Education"),
    "health": ("医疗卫生", "Health"),
    "market": ("市场监管", "Market regulation"),
    "environment": ("生态环境", "Environment"),
    "population": ("人口", "Population"),
    "tourism": ("文化旅游", "Culture and tourism"),
    "weather": ("气象", "Weather"),
    "social": ("社会保障", "Social security"),
    "housing": ("城建住房", "Housing"),
    "public-safety": ("公共安全", "Public safety"),
}
SUBJECTS = {
    "transport": [
        "公交线路",
        "公交站点",
        "公共自行车站点",
        "充电桩",
        "停车场泊位",
        "出租车运营",
        "道路客运班线",
        "城市道路里程",
        "地铁客流",
        "交通拥堵指数",
    ],
    "education": [
        "中小学校名录",
        "幼儿园名录",
        "课后托管服务",
        "校外培训机构",
        "职业技能培训",
        "图书馆借阅",
        "学区划分",
        "教师资格认定",
        "高考报名人数",
        "学校食堂检查",
    ],
    "health": [
        "医疗机构名录",
        "社区卫生服务中心",
        "疫苗接种点",
        "药品零售企业",
        "医保定点药店",
        "急救站点",
        "卫生监督抽检",
        "健康体检机构",
        "医疗床位",
        "献血点",
    ],
    "market": [
        "企业登记信息",
        "个体工商户",
        "食品经营许可",
        "特种设备检验",
        "产品质量抽查",
        "价格监测",
        "商标注册统计",
        "农贸市场",
        "消费投诉统计",
        "计量器具检定",
    ],
    "environment": [
        "空气质量日报",
        "地表水水质",
        "噪声监测",
        "重点排污单位",
        "垃圾分类站点",
        "环评审批",
        "土壤监测点",
        "辐射环境监测",
        "河湖长制",
        "绿地面积",
    ],
    "population": [
        "分区常住人口",
        "出生人口统计",
        "人口年龄结构",
        "户籍迁移统计",
        "城镇化率",
        "家庭户规模",
        "流动人口",
        "老年人口",
        "劳动年龄人口",
        "人口密度",
    ],
    "tourism": [
        "A级旅游景区",
        "星级饭店",
        "旅行社名录",
        "文物保护单位",
        "博物馆",
        "非物质文化遗产",
        "公共文化场馆",
        "旅游接待人次",
        "文艺演出场所",
        "乡村旅游点",
    ],
    "weather": [
        "逐日气象观测",
        "降水量统计",
        "气象灾害预警",
        "日照时数",
        "气温月报",
        "风速风向",
        "相对湿度",
        "霜冻日数",
        "自动气象站名录",
        "农业气象旬报",
    ],
    "social": [
        "养老服务机构",
        "社会保险经办网点",
        "就业招聘会",
        "最低工资标准",
        "养老金发放统计",
        "社区服务中心",
        "婚姻登记机关",
        "殡葬服务机构",
        "慈善组织名录",
        "残疾人服务机构",
    ],
    "housing": [
        "保障性住房项目",
        "商品房预售许可",
        "建筑工地名录",
        "物业服务企业",
        "老旧小区改造",
        "房屋征收公告",
        "建设工程规划许可",
        "市政设施",
        "燃气供应站点",
        "供热管网",
    ],
    "public-safety": [
        "交通事故统计",
        "消防站点",
        "治安案件统计",
        "应急避难场所",
        "户籍办理网点",
        "出入境办证大厅",
        "道路监控点位",
        "消防安全重点单位",
        "危险品运输许可",
        "警务服务站",
    ],
}
DISTRICTS = ["云中区", "川东区", "新城区", "湖滨区", "高新区", "北山区", "南湖区", "开发区"]
FREQUENCIES = [
    ("daily", 2),
    ("weekly", 8),
    ("monthly", 32),
    ("quarterly", 93),
    ("yearly", 366),
    ("irregular", None),
]
OPEN_TYPES = ["无条件开放"] * 7 + ["有条件开放"] * 2 + ["非开放"]
TODAY = dt.date(2026, 11, 22)


def site_yaml() -> dict:
    return {
        "title": {"zh": "合成市公共数据开放平台", "en": "Synthetic City Open Data"},
        "description": {"zh": "用于性能测试的合成目录", "en": "A synthetic catalog for benchmarks"},
        "base_url": "https://data.example.gov.cn/",
        "languages": ["zh", "en"],
        "contact": {
            "name": {"zh": "合成市数据局", "en": "Data Bureau"},
            "email": "data@example.gov.cn",
        },
        "default_license": {
            "name": "CC-BY-4.0",
            "title": "知识共享署名 4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        },
        "hide_closed": False,
        "channels": {
            "apply": {"url": "https://example.gov.cn/apply"},
            "feedback": {"url": "https://example.gov.cn/feedback"},
            "request": {"email": "request@example.gov.cn"},
        },
        "themes": [{"id": k, "zh": zh, "en": en} for k, (zh, en) in THEMES.items()],
        "frequencies": [
            {"id": f, "zh": f, "en": f, **({"days": d} if d else {})} for f, d in FREQUENCIES
        ],
    }


def publishers_yaml() -> list[dict]:
    return [
        {
            "id": pid,
            "name": {"zh": "合成市" + zh, "en": "Synthetic " + en},
            "code": f"11000000MB{i:07d}X",
        }
        for i, (pid, zh, en, _) in enumerate(DEPARTMENTS)
    ]


def dataset(i: int, rng: random.Random, rows: int) -> tuple[dict, str]:
    pid, dept, _, theme = DEPARTMENTS[i % len(DEPARTMENTS)]
    subject = rng.choice(SUBJECTS[theme])
    district = rng.choice(DISTRICTS)
    year = 2018 + i % 9
    open_type = OPEN_TYPES[i % len(OPEN_TYPES)]
    freq, _ = FREQUENCIES[i % len(FREQUENCIES)]
    issued = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(1500))
    modified = min(TODAY, issued + dt.timedelta(days=rng.randrange(900)))
    title = f"{district}{subject}（{year}年）"
    descriptor: dict = {
        "name": f"ds-{i:06d}",
        "identifier": f"SY-{pid.upper()}-{year}-{i:06d}",
        "title": title,
        "title_en": f"{subject} {district} {year} #{i}",
        "description": f"{dept}发布的{district}{subject}数据，统计口径为{year}年度，"
        f"包含名称、所属区域、数量与日期等字段，供社会公众查询使用。",
        "publisher": pid,
        "theme": theme,
        "keywords": [subject, district, THEMES[theme][0]],
        "open_type": open_type,
        "update_frequency": freq,
        "issued": issued.isoformat(),
        "modified": modified.isoformat(),
        "spatial": district,
    }
    if open_type != "无条件开放":
        descriptor["legal_basis"] = "《中华人民共和国数据安全法》第三十八条"
    if open_type == "有条件开放":
        descriptor["open_conditions"] = "仅向科研机构提供，申请人须签署数据安全承诺书"
    descriptor["resources"] = [
        {
            "name": "data",
            "title": subject,
            "path": "data/data.csv",
            "format": "csv",
            "encoding": "utf-8",
            "schema": {
                "fields": [
                    {"name": "id", "type": "integer", "title": "序号"},
                    {"name": "name", "type": "string", "title": "名称"},
                    {"name": "district", "type": "string", "title": "所属区域"},
                    {"name": "amount", "type": "number", "title": "数量"},
                    {"name": "date", "type": "date", "title": "日期"},
                ],
                "primaryKey": ["id"],
            },
        }
    ]
    lines = ["id,name,district,amount,date"]
    for r in range(rows):
        day = dt.date(year, 1, 1) + dt.timedelta(days=(r * 7 + i) % 365)
        lines.append(
            f"{r + 1},{subject}{r + 1}号,{rng.choice(DISTRICTS)},"
            f"{rng.randrange(1, 100000) / 10},{day.isoformat()}"
        )
    return descriptor, "\n".join(lines) + "\n"


def make_catalog(root: Path, n: int, rows: int = 30, seed: int = 7) -> Path:
    """Write a catalog of n datasets into root and return root."""
    rng = random.Random(seed)
    (root / "datasets").mkdir(parents=True, exist_ok=True)
    dump = {"allow_unicode": True, "sort_keys": False}
    (root / "site.yaml").write_text(yaml.safe_dump(site_yaml(), **dump), encoding="utf-8")
    (root / "publishers.yaml").write_text(
        yaml.safe_dump(publishers_yaml(), **dump), encoding="utf-8"
    )
    for i in range(n):
        descriptor, csv_text = dataset(i, rng, rows)
        folder = root / "datasets" / descriptor["name"]
        (folder / "data").mkdir(parents=True, exist_ok=True)
        (folder / "datapackage.yaml").write_text(
            yaml.safe_dump(descriptor, **dump), encoding="utf-8"
        )
        (folder / "data" / "data.csv").write_text(csv_text, encoding="utf-8")
    return root


DEFECTS = (
    "type",  # a number that is not one
    "date",  # a day that does not exist
    "blank",  # an empty line
    "duplicate",  # the id of the row before: primary-key error
    "short",  # a row with a cell missing
    "long",  # a row with an extra cell
    "boolean",  # a value outside trueValues/falseValues
    "required",  # an empty required cell
    "range",  # a value above the maximum
)


def _large_row(r: int, rng: random.Random, start: int) -> list[str]:
    return [
        str(r),
        f"{DISTRICTS[r % 8]}监测站{r % 97}",
        f"{rng.random() * 500:.2f}",
        dt.date.fromordinal(start + r % 2000).isoformat(),
        "true" if r % 3 else "false",
    ]


def _defect(kind: str, cells: list[str]) -> str:
    if kind == "type":
        cells[2] = "n/a"
    elif kind == "date":
        cells[3] = "2021-02-30"
    elif kind == "blank":
        return ""
    elif kind == "duplicate":
        cells[0] = str(int(cells[0]) - 1)
    elif kind == "short":
        cells = cells[:-1]
    elif kind == "long":
        cells = [*cells, "extra"]
    elif kind == "boolean":
        cells[4] = "yes"
    elif kind == "required":
        cells[1] = ""
    elif kind == "range":
        cells[2] = "500.01"
    return ",".join(cells)


def make_large_csv(path: Path, rows: int, seed: int = 11, defects: int = 0) -> Path:
    """One resource with integer, string, number, date and boolean columns.

    defects > 0 spreads that many broken rows evenly through the file, cycling through
    DEFECTS, so that validators have something to find (and must agree on).
    """
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    start = dt.date(2020, 1, 1).toordinal()
    every = rows // defects if defects else 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("id,station,value,day,valid\n")
        block: list[str] = []
        for r in range(1, rows + 1):
            cells = _large_row(r, rng, start)
            if every and r % every == every // 2 and r > 1:
                block.append(_defect(DEFECTS[(r // every) % len(DEFECTS)], cells) + "\n")
            else:
                block.append(",".join(cells) + "\n")
            if len(block) >= 50_000:
                handle.write("".join(block))
                block.clear()
        handle.write("".join(block))
    return path


def make_large_csv_columnar(path: Path, rows: int, seed: int = 11) -> Path:
    """Like make_large_csv without defects, built column by column: 10M rows in seconds.

    The values differ from make_large_csv's (another random stream) but follow the same
    schema, so a build must validate and derive them all.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    names = pa.array([f"{DISTRICTS[i % 8]}监测站{i % 97}" for i in range(8 * 97)])
    start = np.datetime64("2020-01-01")
    with (
        open(path, "wb") as handle,
        pa_csv.CSVWriter(
            handle,
            pa.schema([(n, pa.string()) for n in ("id", "station", "value", "day", "valid")]),
            write_options=pa_csv.WriteOptions(include_header=False, quoting_style="none"),
        ) as writer,
    ):
        handle.write(b"id,station,value,day,valid\n")
        for first in range(1, rows + 1, 1_000_000):
            r = np.arange(first, min(rows, first + 999_999) + 1, dtype=np.int64)
            cents = rng.integers(0, 50_000, len(r))
            value = pc.binary_join_element_wise(
                pc.cast(pa.array(cents // 100), pa.string()),
                pc.utf8_lpad(pc.cast(pa.array(cents % 100), pa.string()), 2, "0"),
                ".",
            )
            day = pc.cast(pa.array(start + (r % 2000).astype("timedelta64[D]")), pa.string())
            valid = pc.if_else(pa.array(r % 3 != 0), "true", "false")
            writer.write_batch(
                pa.record_batch(
                    [
                        pc.cast(pa.array(r), pa.string()),
                        names.take(pa.array(r % 776)),
                        value,
                        day,
                        valid,
                    ],
                    names=["id", "station", "value", "day", "valid"],
                )
            )
    return path


def large_csv_schema() -> dict:
    return {
        "fields": [
            {"name": "id", "type": "integer", "title": "序号"},
            {
                "name": "station",
                "type": "string",
                "title": "监测站",
                "constraints": {"required": True, "maxLength": 40},
            },
            {
                "name": "value",
                "type": "number",
                "title": "监测值",
                "constraints": {"minimum": 0, "maximum": 500},
            },
            {"name": "day", "type": "date", "title": "日期"},
            {"name": "valid", "type": "boolean", "title": "有效"},
        ],
        "primaryKey": ["id"],
    }


def make_large_catalog(root: Path, csv_path: Path) -> Path:
    """A catalog of one open dataset whose resource is csv_path (hard-linked in)."""
    dump = {"allow_unicode": True, "sort_keys": False}
    (root / "datasets").mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(yaml.safe_dump(site_yaml(), **dump), encoding="utf-8")
    (root / "publishers.yaml").write_text(
        yaml.safe_dump(publishers_yaml(), **dump), encoding="utf-8"
    )
    folder = root / "datasets" / "air-quality-readings"
    (folder / "data").mkdir(parents=True, exist_ok=True)
    target = folder / "data" / "readings.csv"
    if target.exists():
        target.unlink()
    try:
        target.hardlink_to(csv_path)
    except OSError:
        import shutil

        shutil.copyfile(csv_path, target)
    descriptor = {
        "name": "air-quality-readings",
        "title": "空气质量监测读数",
        "description": "全市自动监测站逐日读数（合成数据，用于性能测试）",
        "publisher": "sthjj",
        "theme": "environment",
        "keywords": ["空气质量", "监测"],
        "open_type": "无条件开放",
        "update_frequency": "daily",
        "issued": "2024-01-01",
        "modified": "2026-11-20",
        "resources": [
            {
                "name": "readings",
                "title": "监测读数",
                "path": "data/readings.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": large_csv_schema(),
            }
        ],
    }
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(descriptor, **dump), encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="what", required=True)
    cat = sub.add_parser("catalog")
    cat.add_argument("out", type=Path)
    cat.add_argument("--datasets", type=int, default=1000)
    cat.add_argument("--rows", type=int, default=30)
    big = sub.add_parser("csv")
    big.add_argument("out", type=Path)
    big.add_argument("--rows", type=int, default=1_000_000)
    big.add_argument("--defects", type=int, default=0)
    args = parser.parse_args()
    if args.what == "catalog":
        make_catalog(args.out, args.datasets, args.rows)
    else:
        make_large_csv(args.out, args.rows, defects=args.defects)


if __name__ == "__main__":
    main()
