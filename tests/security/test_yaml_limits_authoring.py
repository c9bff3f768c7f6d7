"""The loader's YAML limits (size, alias bombs, nesting) hold for the commands that edit
a catalog too: `kaifang import --dataset/--resource` and `kaifang harvest` read a
datapackage.yaml a person or a hostile source may have written, and refuse a bomb with a
message naming the file, before any YAML library walks it."""

from __future__ import annotations

from pathlib import Path

from ..conftest import dataset_yaml
from .helpers import assert_clean_failure, kaifang_subprocess
from .test_leak_doors_hostile import _limit_memory, alias_bomb

FIXTURES = Path(__file__).resolve().parents[1] / "harvest_fixtures"


def test_import_into_a_bombed_descriptor_is_refused(catalog, tmp_path: Path):
    catalog.dataset("bus-lines", descriptor=dataset_yaml("bus-lines") + alias_bomb())
    before = (catalog.root / "datasets/bus-lines/datapackage.yaml").read_bytes()
    source = tmp_path / "stops.csv"
    source.write_text("line_id,stops\nL009,7\n", encoding="utf-8")
    run = kaifang_subprocess(
        "import",
        source,
        "--catalog",
        catalog.root,
        "--dataset",
        "bus-lines",
        "--resource",
        "rows",
        timeout=60,
        preexec=_limit_memory,
    )
    assert_clean_failure(run, what="import into a descriptor holding an alias bomb")
    assert "datasets/bus-lines/datapackage.yaml" in run.output and "100,000" in run.output
    assert (catalog.root / "datasets/bus-lines/datapackage.yaml").read_bytes() == before


def test_reharvest_over_a_bombed_descriptor_is_refused(catalog, tmp_path: Path):
    first = kaifang_subprocess("harvest", FIXTURES / "data.json", "--catalog", catalog.root)
    assert first.exit_code == 0, first.describe()
    descriptors = sorted((catalog.root / "datasets").glob("*/datapackage.yaml"))
    assert descriptors, "the first harvest wrote no dataset"
    target = descriptors[0]
    target.write_text(target.read_text(encoding="utf-8") + alias_bomb(), encoding="utf-8")
    before = target.read_bytes()
    run = kaifang_subprocess(
        "harvest",
        FIXTURES / "data.json",
        "--catalog",
        catalog.root,
        "--lang",
        "en",
        timeout=60,
        preexec=_limit_memory,
    )
    assert_clean_failure(run, what="re-harvest over a descriptor holding an alias bomb")
    rel = f"datasets/{target.parent.name}/datapackage.yaml"
    assert rel in run.output, run.describe()
    assert target.read_bytes() == before, "the refused file was rewritten"


def test_reharvest_over_a_descriptor_with_a_syntax_error_names_its_line(catalog):
    """A person's typo in a harvested descriptor gave a traceback on the next harvest."""
    first = kaifang_subprocess("harvest", FIXTURES / "data.json", "--catalog", catalog.root)
    assert first.exit_code == 0, first.describe()
    target = sorted((catalog.root / "datasets").glob("*/datapackage.yaml"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "title: [unclosed\n", "utf-8")
    before = target.read_bytes()
    run = kaifang_subprocess("harvest", FIXTURES / "data.json", "--catalog", catalog.root)
    assert_clean_failure(run, what="re-harvest over a descriptor with a syntax error")
    assert f"datasets/{target.parent.name}/datapackage.yaml" in run.output, run.describe()
    assert "YAML 语法错误" in run.output, run.describe()
    assert target.read_bytes() == before
