"""Search benchmark: Kaifang's search index at 10,000 and 100,000 synthetic datasets.

No kaifang build (that takes many minutes at 100,000): the search documents are made
directly, with distinct, realistic Chinese titles (district, street, subject, kind, year,
from bench/synth.py's vocabulary), indexed by generator/search/ exactly as a build does,
and served from localhost with the real search page script. In headless Chromium:

- recall: for a sample of datasets, the query of the exact title (the dataset must come
  first) and of a sub-phrase of the title (four or more characters from inside it; the
  dataset must be among the results), run by search-core.js in the page;
- cold queries: in a fresh browser context each (empty cache), a query submitted on the
  loaded search page; bytes fetched from /search-index/ (what a visitor downloads; the
  server sends the files as they are on disk) and the time from submit to the first ten
  results on screen (the User Timing measure "kaifang:search" set by search.js);
- the index: size on disk and file count.

Targets: 100 % recall; at 10,000 datasets 300 KB and 300 ms, at 100,000 500 KB and 1 s
per cold query; under 25,000 files at 100,000.

    python bench/search_bench.py [--datasets 10000 100000] [--recall 300] [--cold 12]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from playwright.sync_api import Browser, sync_playwright  # noqa: E402

from bench.synth import DEPARTMENTS, DISTRICTS, SUBJECTS, THEMES  # noqa: E402
from generator.search.index import Doc, Index, write_index  # noqa: E402

CHROMIUM = os.environ.get("KAIFANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGETS = {10_000: (300, 300), 100_000: (500, 1000)}  # KB, ms
STREETS = [a + b for a in "东西南北中新和平安永宁长" for b in ("街道", "镇", "乡")]
KINDS = ["", "明细", "汇总", "统计", "目录", "名录", "分布", "监测数据", "年度报告"]
OPEN = [("open", "无条件开放")] * 7 + [("conditional", "有条件开放")] * 2 + [("closed", "非开放")]
MEASURE = "performance.getEntriesByName('kaifang:search', 'measure')"

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>搜索</title></head>
<body><form id="search-form"><input id="search-q" name="q" type="search">
<button type="submit">搜索</button><select id="search-sort" name="sort">
<option value="">相关度</option><option value="modified">更新日期</option>
<option value="title">名称</option></select></form>
<details id="search-filters-box" open><summary>筛选</summary>
<div id="search-filters"></div></details>
<p id="search-status"></p><ol id="search-results"></ol>
<button id="search-more" hidden>更多</button>
<script id="search-config" type="application/json">CONFIG</script>
<script type="module" src="/static/search.js"></script></body></html>"""


def make_docs(n: int, seed: int = 7) -> list[Doc]:
    rng = random.Random(seed)
    seen: set[str] = set()
    docs = []
    i = 0
    while len(docs) < n:
        pid, dept, _, theme = DEPARTMENTS[i % len(DEPARTMENTS)]
        subject = rng.choice(SUBJECTS[theme])
        district, street = rng.choice(DISTRICTS), rng.choice(STREETS)
        year = 2010 + rng.randrange(17)
        title = f"{district}{street}{subject}{rng.choice(KINDS)}（{year}年）"
        i += 1
        if title in seen:
            continue
        seen.add(title)
        open_type, label = OPEN[i % len(OPEN)]
        modified = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2800))
        docs.append(
            Doc(
                id=f"ds-{len(docs):06d}",
                url=f"/datasets/ds-{len(docs):06d}/",
                title=title,
                description=f"{dept}发布的{district}{street}{subject}数据，统计口径为{year}年度。"
                f"包含名称、所属区域、数量与日期等字段，供社会公众查询使用。",
                identifier=f"SY-{pid.upper()}-{year}-{len(docs):06d}",
                keywords=[subject, district, THEMES[theme][0]],
                publisher="合成市" + dept,
                theme=THEMES[theme][0],
                fields=["id", "序号", "name", "名称", "district", "所属区域", "amount", "数量"],
                open_type=open_type,
                open_label=label,
                formats=["CSV", "XLSX"],
                frequency="每月",
                modified=modified.isoformat(),
            )
        )
    return docs


def write_site(site: Path, docs: list[Doc]) -> tuple[Index, float, int, int]:
    if site.exists():
        shutil.rmtree(site)
    started = time.perf_counter()
    index = Index.build(docs, "zh")
    files = write_index(index, site / "search-index" / "zh")
    seconds = time.perf_counter() - started
    for rel, data in files.items():
        path = site / "search-index" / "zh" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (site / "static").mkdir()
    for name in ("search.js", "search-core.js"):
        shutil.copy(REPO / "templates" / "static" / name, site / "static" / name)
    strings = {
        "count": "“{q}”共 {n} 条结果",
        "count_filtered": "共 {n} 条结果",
        "none": "没有找到“{q}”",
        "loading": "正在搜索……",
        "error": "搜索暂时不可用",
        "prompt": "输入关键词",
        "more": "更多",
        "modified": "更新于 {date}",
    }
    config = {"bundle": "/search-index/zh/", "baseUrl": "/", "facets": [], "strings": strings}
    (site / "search").mkdir()
    (site / "search" / "index.html").write_text(
        PAGE.replace("CONFIG", json.dumps(config, ensure_ascii=False)), encoding="utf-8"
    )
    return index, seconds, len(files), sum(len(b) for b in files.values())


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def sub_phrase(title: str, rng: random.Random) -> str:
    han = title.split("（")[0]
    length = rng.randrange(4, min(8, len(han)) + 1)
    start = rng.randrange(0, len(han) - length + 1)
    return han[start : start + length]


RECALL_JS = """async ([cases]) => {
  const core = await import('/static/search-core.js');
  const index = new core.SearchIndex('/search-index/zh/');
  let first = 0, found = 0;
  for (const [q, doc, kind] of cases) {
    const {hits} = await index.search(q, {}, '');
    if (kind === 'exact') { if (hits.length && hits[0].doc === doc) first++; }
    else if (hits.some((h) => h.doc === doc)) found++;
  }
  return [first, found];
}"""


def recall(browser: Browser, base: str, docs: list[Doc], sample: int) -> tuple[float, float]:
    rng = random.Random(11)
    picks = rng.sample(range(len(docs)), min(sample, len(docs)))
    exact = [[docs[i].title, i, "exact"] for i in picks]
    sub = [[sub_phrase(docs[i].title, rng), i, "sub"] for i in picks]
    page = browser.new_page()
    page.goto(base + "/search/")
    first, found = page.evaluate(RECALL_JS, [exact + sub])
    page.close()
    return first / len(picks), found / len(picks)


def cold_query(browser: Browser, base: str, query: str) -> tuple[float, int]:
    context = browser.new_context()
    page = context.new_page()
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(base + "/search/")
    page.wait_for_load_state("networkidle")
    requests.clear()
    page.evaluate(
        "q => { document.getElementById('search-q').value = q;"
        " document.getElementById('search-form').requestSubmit(); }",
        query,
    )
    page.wait_for_function(f"{MEASURE}.length > 0", timeout=60_000)
    ms = page.evaluate(f"{MEASURE}[0].duration")
    page.wait_for_load_state("networkidle")
    body = sum(r.sizes()["responseBodySize"] for r in requests if "/search-index/" in r.url)
    context.close()
    return ms, body


def run(n: int, work: Path, sample: int, cold: int, browser: Browser) -> dict:
    started = time.perf_counter()
    docs = make_docs(n)
    made = time.perf_counter() - started
    site = work / f"site-{n}"
    index, index_s, files, size = write_site(site, docs)
    ordered = index.docs  # document ids are positions in title order, as the browser sees
    rng = random.Random(5)
    queries = [d.title for d in rng.sample(ordered, cold // 2)]
    queries += [sub_phrase(d.title, rng) for d in rng.sample(ordered, cold - cold // 2)]
    with serve(site) as base:
        exact, sub = recall(browser, base, ordered, sample)
        cold_query(browser, base, "预热")  # Chromium's own start-up
        runs = [cold_query(browser, base, q) for q in queries]
    ms = [r[0] for r in runs]
    kb = [r[1] / 1024 for r in runs]
    return {
        "n": n,
        "docs_s": made,
        "index_s": index_s,
        "files": files,
        "mb": size / 1e6,
        "exact": exact,
        "sub": sub,
        "ms": ms,
        "kb": kb,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--recall", type=int, default=300, help="datasets sampled for recall")
    parser.add_argument("--cold", type=int, default=12, help="cold queries per size")
    parser.add_argument("--work", type=Path, help="folder for the generated sites")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kaifang-search-bench-"))
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in args.datasets:
            results.append(run(n, work, args.recall, args.cold, browser))
        browser.close()
    ok = True
    print(f"\nsearch index benchmark ({work})")
    print(
        f"{'datasets':>9} {'index s':>7} {'files':>6} {'MB':>6} {'exact@1':>8} {'sub-phrase':>10}"
        f" {'KB median/max':>14} {'ms median/max':>14}  target"
    )
    for r in results:
        kb_target, ms_target = TARGETS.get(r["n"], (300, 300) if r["n"] <= 10_000 else (500, 1000))
        met = (
            max(r["kb"]) <= kb_target
            and max(r["ms"]) <= ms_target
            and r["exact"] == 1
            and r["sub"] == 1
            and (r["n"] < 100_000 or r["files"] < 25_000)
        )
        ok &= met
        print(
            f"{r['n']:>9} {r['index_s']:>7.1f} {r['files']:>6} {r['mb']:>6.1f} "
            f"{r['exact']:>8.1%} {r['sub']:>10.1%} "
            f"{statistics.median(r['kb']):>6.0f}/{max(r['kb']):<7.0f}"
            f"{statistics.median(r['ms']):>6.0f}/{max(r['ms']):<7.0f}"
            f"  {kb_target} KB, {ms_target} ms: {'met' if met else 'NOT met'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
