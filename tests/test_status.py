"""Dataset statuses (issue 16): 正常 / 暂停 / 撤回 / 异议处理中 on the page, in the lists, the
API, DCAT, data.json and Atom; suspended and withdrawn datasets publish no data file.

The demo catalog has a suspended dataset (job-fairs) and one under objection
(food-safety-inspections), so tests/test_bots.py runs pyshacl, the POD schema and the
OpenAPI schemas over them too.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.build import build
from generator.errors import CatalogError

from .conftest import CatalogFactory

ATOM = "{http://www.w3.org/2005/Atom}"
SUSPENDED, OBJECTION = "job-fairs", "food-safety-inspections"


def _files(folder: Path) -> list[str]:
    """The files of a folder, without the precompressed siblings (.br, .gz) of a page."""
    return sorted(p.name for p in folder.iterdir() if p.suffix not in (".br", ".gz"))


def _data_files(folder: Path) -> list[str]:
    """Downloads, descriptors and kept files: anything but pages, feeds and validation."""
    pages = {"index.html", "validation.json", "feed.atom"}
    return [n for n in _files(folder) if n not in pages] + [
        p.name for p in folder.glob("archive/**/*") if p.is_file()
    ]


def test_suspended_dataset_shows_its_status_and_publishes_no_data_file(demo_site: Path):
    folder = demo_site / "datasets" / SUSPENDED
    assert _data_files(folder) == [] and "index.html" in _files(folder)
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "<strong>暂停</strong>：自 2026-11-20 起。原因：计划场次的举办地点正在核对" in page
    assert "暂停期间不提供数据文件下载" in page
    assert 'class="badge badge-status badge-suspended">暂停</span>' in page
    en = (demo_site / "en" / "datasets" / SUSPENDED / "index.html").read_text(encoding="utf-8")
    assert "<strong>Suspended</strong>: since 2026-11-20. Reason: the venues" in en
    listing = "".join(
        p.read_text(encoding="utf-8")
        for p in (demo_site / "datasets").glob("**/index.html")
        if p.parent.parent.name != "datasets" or p.parent.name == "page"
    ) + (demo_site / "datasets" / "index.html").read_text(encoding="utf-8")
    assert 'badge-suspended">暂停</span>' in listing


def test_under_objection_the_data_stays_with_the_notice(demo_site: Path):
    folder = demo_site / "datasets" / OBJECTION
    assert (folder / "inspections.csv").is_file() and (folder / "datapackage.json").is_file()
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "<strong>异议处理中</strong>：自 2026-11-16 起。异议：被抽样单位" in page
    assert "预计 2026-12-15 前答复" in page


def test_api_dcat_pod_and_atom_say_the_status(demo_site: Path):
    api = json.loads((demo_site / "api/v1/datasets" / f"{SUSPENDED}.json").read_text("utf-8"))
    assert api["status"]["state"] == "suspended" and api["status"]["since"] == "2026-11-20"
    assert api["status"]["publishes_data"] is False and api["package"] is None
    assert api["status"]["reason"]["en"].startswith("the venues")
    listed = json.loads((demo_site / "api/v1/datasets.json").read_text("utf-8"))
    states = {d["id"]: d["status"]["state"] for d in listed["datasets"]}
    assert states[SUSPENDED] == "suspended" and states[OBJECTION] == "objection"
    assert states["bus-lines"] == "normal"
    objection = json.loads((demo_site / "api/v1/datasets" / f"{OBJECTION}.json").read_text())
    assert objection["status"]["reply_by"] == "2026-12-15"
    assert objection["resources"][0]["downloads"]

    from rdflib import Graph, Namespace, URIRef

    g = Graph().parse(demo_site / "catalog.ttl", format="turtle")
    adms = Namespace("http://www.w3.org/ns/adms#")
    node = URIRef(f"https://data.yunchuan.gov.cn/datasets/{SUSPENDED}/#dataset")
    assert set(g.objects(node, adms.status)) == {
        URIRef("http://publications.europa.eu/resource/authority/dataset-status/DEPRECATED")
    }
    notes = {str(o) for o in g.objects(node, adms.versionNotes)}
    assert any(n.startswith("暂停：自 2026-11-20 起") for n in notes)
    normal = URIRef("https://data.yunchuan.gov.cn/datasets/bus-lines/#dataset")
    assert list(g.objects(normal, adms.status)) == []

    pod = json.loads((demo_site / "data.json").read_text(encoding="utf-8"))
    by_id = {d["landingPage"].rstrip("/").rsplit("/", 1)[-1]: d for d in pod["dataset"]}
    assert by_id[SUSPENDED]["rights"].startswith("暂停：自 2026-11-20 起")
    assert "distribution" not in by_id[SUSPENDED]
    assert (
        by_id[OBJECTION]["rights"].startswith("异议处理中：") and by_id[OBJECTION]["distribution"]
    )

    feed = ET.parse(demo_site / "feed.atom").getroot()
    titles = {e.findtext(ATOM + "title"): e for e in feed.findall(ATOM + "entry")}
    entry = titles["暂停：公共就业服务招聘会信息"]
    assert entry.findtext(ATOM + "updated") == "2026-11-20T00:00:00Z"
    assert "暂停期间不提供数据文件下载" in entry.findtext(ATOM + "content")


def _status_yaml(ds_id: str, status: str, **kw: str) -> str:
    from .conftest import dataset_yaml

    return dataset_yaml(ds_id, extra=status, **kw)


def test_withdrawn_dataset_publishes_no_file_nor_kept_file(catalog: CatalogFactory, tmp_path):
    catalog.dataset("buses")
    catalog.dataset(
        "stops",
        descriptor=_status_yaml(
            "stops",
            "status: {state: 撤回, since: 2026-11-02, reason: 数据来源有误, replaced_by: buses}\n",
        ),
    )
    out = tmp_path / "site"
    build(catalog.root, out, use_cache=False)
    assert _data_files(out / "datasets" / "stops") == []
    page = (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "<strong>撤回</strong>：2026-11-02 撤回。原因：数据来源有误" in page
    assert '替代数据集：<a href="/datasets/buses/">' in page
    assert "L001" not in page  # no preview while withdrawn


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("status: {state: 暂停}\n", "数据状态为暂停，必须写明起始日期 status.since"),
        ("status: {state: 撤回, since: 2026-11-02}\n", "必须写明原因 status.reason"),
        (
            "status: {state: 异议处理中, since: 2026-11-02, reason: 有异议}\n",
            "必须写明预计答复日期 status.reply_by",
        ),
        ("status: {state: 停用, since: 2026-11-02, reason: x}\n", "未知的数据状态 '停用'"),
        (
            "status: {state: 撤回, since: 2026-11-02, reason: x, replaced_by: nowhere}\n",
            "替代数据集 nowhere 不是目录中的其他数据集",
        ),
    ],
    ids=["no-since", "no-reason", "no-reply-date", "unknown-state", "no-successor"],
)
def test_an_incomplete_status_is_an_error(
    catalog: CatalogFactory, tmp_path: Path, status: str, message: str
):
    catalog.dataset("stops", descriptor=_status_yaml("stops", status))
    with pytest.raises(CatalogError) as info:
        build(catalog.root, tmp_path / "site", use_cache=False)
    assert any(message in p.message for p in info.value.problems), [
        p.message for p in info.value.problems
    ]


def test_share_conditions_share_type_in_english_and_the_credit_code_label(demo_site: Path):
    """Fixes on the way (issue 16): share conditions are published, /en/ says the share
    type in English, and a publisher's code is labelled as the credit code it is."""
    zh = (demo_site / "datasets/enterprise-social-insurance/index.html").read_text("utf-8")
    assert "<dt>共享条件</dt><dd>仅向承担劳动保障监察、税务征管和社会信用管理职责的部门共享" in zh
    en = (demo_site / "en/datasets/enterprise-social-insurance/index.html").read_text("utf-8")
    assert "<dt>Share type</dt><dd>Shared on conditions</dd>" in en
    assert "有条件共享" not in en
    api = json.loads(
        (demo_site / "api/v1/datasets/enterprise-social-insurance.json").read_text("utf-8")
    )
    assert api["share_conditions"].startswith("仅向承担劳动保障监察")
    publisher = next((demo_site / "publishers").glob("*/index.html")).read_text("utf-8")
    assert "<dt>统一社会信用代码</dt>" in publisher and "<dt>信息资源代码</dt>" not in publisher
