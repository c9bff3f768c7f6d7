from pathlib import Path


def test_help_lists_commands(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("build", "check", "serve"):
        assert command in result.output


def test_build_small_catalog(catalog, cli, tmp_path: Path):
    catalog.dataset("bus-lines")
    out = tmp_path / "out"
    result = cli("build", "--catalog", catalog.root, "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()
    assert (out / "datasets" / "bus-lines" / "index.html").is_file()
    assert (out / "datasets" / "bus-lines" / "rows.csv").read_text(encoding="utf-8") == (
        "line_id,stops\nL001,12\nL002,30\n"
    )
    assert (out / "en" / "datasets" / "bus-lines" / "index.html").is_file()


def test_wrong_usage_exits_2(cli):
    assert cli("build", "--no-such-flag").exit_code == 2


def test_check_reports_unknown_open_type(catalog, cli):
    catalog.dataset("bus-lines", open_type="半开放")
    result = cli("check", "--catalog", catalog.root)
    assert result.exit_code == 1
    assert "bus-lines" in result.output
    assert "datasets/bus-lines/datapackage.yaml" in result.output
    assert "未知的开放类型 '半开放'" in result.output
    assert "Traceback" not in result.output


def test_failed_build_leaves_previous_site(catalog, cli, tmp_path: Path):
    catalog.dataset("bus-lines")
    out = tmp_path / "out"
    assert cli("build", "--catalog", catalog.root, "--out", out).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    catalog.dataset("bus-lines", open_type="")
    result = cli("build", "--catalog", catalog.root, "--out", out)
    assert result.exit_code == 1
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob(".site.staging-*"))


def test_missing_catalog_is_a_clear_error(cli, tmp_path: Path):
    result = cli("check", "--catalog", tmp_path / "nope")
    assert result.exit_code == 1
    assert "不存在" in result.output
