"""kaifang deploy: upload what changed since the last deploy, or verify a destination."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..deploy.sync import DeployResult
from ..deploy.sync import deploy as run_deploy
from ..deploy.sync import verify as run_verify
from ..errors import KaifangError
from ..publish import build_lock
from . import fail, lang_option, out_option


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def summary(result: DeployResult, dest: str, lang: str, dry_run: bool) -> str:
    p = result.plan
    n_up = len(p.files) + len(p.pages)
    if lang == "zh":
        head = "将部署到" if dry_run else "已部署到"
        text = (
            f"{head} {dest}：上传 {n_up} 个文件（数据和资源 {len(p.files)}，页面 {len(p.pages)}；"
            f"{_size(p.upload_bytes)}），删除 {len(p.deletions)} 个，未变 {p.unchanged} 个"
        )
        if not dry_run:
            text += f"\n  实际传输 {result.uploaded.files} 个文件，{_size(result.uploaded.bytes)}"
        if result.resumed:
            text += f"\n  接续上次中断的部署（已完成：{'、'.join(result.resumed)}）"
        return text
    head = "would deploy to" if dry_run else "deployed to"
    text = (
        f"{head} {dest}: {n_up} files uploaded ({len(p.files)} data and assets, "
        f"{len(p.pages)} pages; {_size(p.upload_bytes)}), {len(p.deletions)} deleted, "
        f"{p.unchanged} unchanged"
    )
    if not dry_run:
        text += f"\n  transferred {result.uploaded.files} files, {_size(result.uploaded.bytes)}"
    if result.resumed:
        text += f"\n  resumed an interrupted deploy (done: {', '.join(result.resumed)})"
    return text


@click.command()
@click.argument("dest")
@out_option
@click.option(
    "--verify",
    is_flag=True,
    help="只核对目标与网站是否逐个文件一致，不上传 / only check that the destination holds "
    "the site, file by file",
)
@click.option("--dry-run", is_flag=True, help="只列出将上传和删除的数量 / say what would be done")
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="部署记录的位置（默认：网站旁的 .kaifang-deploy）/ where deploy records are kept "
    "(default: .kaifang-deploy beside the site)",
)
@lang_option
def deploy(
    dest: str, out_dir: Path, verify: bool, dry_run: bool, state_dir: Path | None, lang: str
) -> None:
    """增量部署已构建的网站 / upload what changed to a server or object store.

    DEST is a folder, any rclone remote (remote:bucket/path, S3-compatible stores
    included) or rsync:TARGET. New files go first, pages next, deletions last.
    """
    zh = lang == "zh"
    try:
        with build_lock(out_dir):  # no build swaps the site while it is read
            if verify:
                result = run_verify(out_dir, dest, state_dir=state_dir)
            else:
                done = run_deploy(out_dir, dest, state_dir=state_dir, dry_run=dry_run)
    except KaifangError as exc:
        fail(exc, lang)
        return
    if not verify:
        click.echo(summary(done, dest, lang, dry_run))
        return
    if result.differences:
        shown = "\n".join("  " + line for line in result.differences[:20])
        more = len(result.differences) - 20
        head = (
            f"目标与网站不一致：{len(result.differences)} 个文件"
            if zh
            else f"the destination differs from the site: {len(result.differences)} files"
        )
        click.echo(head + "\n" + shown + (f"\n  … {more}" if more > 0 else ""), err=True)
        if result.site_changed:
            click.echo(
                "网站在上次部署后又构建过" if zh else "the site was rebuilt since the last deploy",
                err=True,
            )
        click.echo(
            "（* 内容不同，+ 目标缺少，- 目标多出）重新运行 kaifang deploy 修复"
            if zh
            else "(* differs, + missing at the destination, - only at the destination) "
            "run kaifang deploy again to repair",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"核对通过：{dest} 与网站逐个文件一致"
        if zh
        else f"verified: {dest} holds the site, file by file"
    )
