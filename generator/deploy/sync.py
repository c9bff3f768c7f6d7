"""`kaifang deploy DEST`: upload only what changed since the last deploy, in a safe order.

A deploy hashes every file of the built site into a manifest (path -> size, sha256) and
compares it with the manifest of the last deploy to the same destination, kept beside the
site in ``.kaifang-deploy/`` (never inside it: the audit reads everything inside, and the
web server would publish it). Then, in three phases, so that no page ever points at a
file that is not there yet and no file disappears while a page still points at it:

1. new and changed files that pages point to (downloads, the search index, assets);
2. new and changed pages and the files that point to others (HTML, feeds, sitemaps,
   catalogs, API documents, the search index's meta.json), each with its .gz/.br siblings;
3. deletions of the files the new site no longer has.

The transport is rclone (Debian package): a local folder, an SFTP server, or any of its
remotes, S3-compatible object stores (Aliyun OSS, Tencent COS, MinIO…) included; a
destination written ``rsync:TARGET`` is synced with rsync instead. Each phase copies
exactly the files of its list (``--files-from-raw``), and ``--checksum`` makes rclone skip
files already at the destination with the same content, so an interrupted deploy resumes
where it stopped: the state file records the phases done. ``--verify`` checks the
destination against the site, file by file (``rclone check`` / ``rsync --checksum -n``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KaifangError

log = logging.getLogger(__name__)

STATE_DIRNAME = ".kaifang-deploy"
STATE_FORMAT = 1
PHASES = ("files", "pages", "deletions")
# Files that name other files (pages, feeds, sitemaps, catalogs, API documents, the search
# index's meta.json): they go after what they name, and before deletions.
POINTER_SUFFIXES = (".html", ".atom", ".xml", ".json", ".jsonld", ".ttl", ".txt")
SIBLINGS = (".gz", ".br")
RCLONE_DIR_NOT_FOUND = 3  # rclone's exit code

Manifest = dict[str, list]  # path -> [size, sha256]


class DeployError(KaifangError):
    """The destination could not be written, or the tools for it are missing."""


def _base(path: str) -> str:
    for suffix in SIBLINGS:
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def is_pointer(path: str) -> bool:
    base = _base(path)
    return base.endswith(POINTER_SUFFIXES)


def site_manifest(site: Path) -> Manifest:
    """Size and SHA-256 of every file of the site, by POSIX path, sorted."""
    files: Manifest = {}
    for folder, dirs, names in os.walk(site):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            rel = path.relative_to(site).as_posix()
            files[rel] = [path.stat().st_size, digest.hexdigest()]
    return dict(sorted(files.items()))


@dataclass
class Plan:
    """What one deploy does: the files of each phase, and what it leaves alone."""

    files: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)
    unchanged: int = 0
    upload_bytes: int = 0

    def phase(self, name: str) -> list[str]:
        return {"files": self.files, "pages": self.pages, "deletions": self.deletions}[name]


def plan(new: Manifest, old: Manifest, unsure: set[str] = frozenset()) -> Plan:  # type: ignore[assignment]
    """The phases that turn a destination holding ``old`` into ``new``; ``unsure`` paths
    (touched by an interrupted deploy) are sent again whatever ``old`` says."""
    result = Plan()
    for path, entry in new.items():
        if path not in unsure and old.get(path) == entry:
            result.unchanged += 1
            continue
        (result.pages if is_pointer(path) else result.files).append(path)
        result.upload_bytes += entry[0]
    result.deletions = sorted((set(old) | unsure) - set(new))
    return result


# --- the state of a destination, kept beside the site ----------------------------------


def state_path(site: Path, dest: str, state_dir: Path | None = None) -> Path:
    folder = state_dir or site.resolve().parent / STATE_DIRNAME
    key = hashlib.sha256(dest.encode("utf-8")).hexdigest()[:16]
    return folder / f"{key}.json"


def load_state(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DeployError(
            f"部署记录无法读取：{path}（{exc}）。删除该文件后重新部署（会逐个比较文件内容）/ "
            f"the deploy record {path} cannot be read ({exc}); delete it and deploy again "
            "(files are then compared by content)"
        ) from exc
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        return {}
    return state


def save_state(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


# --- transports -------------------------------------------------------------------------


@dataclass
class Transfer:
    files: int = 0
    bytes: int = 0


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise DeployError(
            f"找不到 {name}：请安装（apt-get install {name}，或运行 make deploy-deps）/ "
            f"{name} is missing: install it (apt-get install {name}, or make deploy-deps)"
        )
    return found


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    log.debug("running %s", command)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        tail = [line for line in lines if 'rclone.conf" not found' not in line][-5:]
        raise DeployError(
            f"{Path(command[0]).name} 失败（退出码 {done.returncode}）/ "
            f"{Path(command[0]).name} failed (exit {done.returncode}):\n  " + "\n  ".join(tail)
        )
    return done


@contextmanager
def _list_file(paths: list[str]) -> Iterator[str]:
    """A temporary file listing paths, one a line, for --files-from."""
    handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8")
    try:
        with handle:
            handle.write("".join(p + "\n" for p in paths))
        yield handle.name
    finally:
        os.unlink(handle.name)


class Rclone:
    """A local folder or any rclone remote (``remote:bucket/path``)."""

    deletes_by_comparison = False

    def __init__(self, dest: str) -> None:
        self.dest = dest
        self.exe = _tool("rclone")

    def _stats(self, done: subprocess.CompletedProcess[str]) -> Transfer:
        result = Transfer()
        for line in done.stderr.splitlines():
            if '"stats"' in line:
                stats = json.loads(line)["stats"]
                result = Transfer(stats.get("transfers", 0), stats.get("bytes", 0))
        return result

    def upload(self, site: Path, paths: list[str]) -> Transfer:
        with _list_file(paths) as listing:
            done = _run(
                [
                    self.exe,
                    "copy",
                    str(site),
                    self.dest,
                    "--files-from-raw",
                    listing,
                    "--no-traverse",
                    "--checksum",
                    "--use-json-log",
                    "--stats",
                    "1h",
                    "-v",
                ]
            )
        return self._stats(done)

    def delete(self, site: Path, paths: list[str]) -> None:
        with _list_file(paths) as listing:
            _run([self.exe, "delete", self.dest, "--files-from-raw", listing])
        if ":" not in self.dest or Path(self.dest).exists():  # folders: remove the empty ones
            _run([self.exe, "rmdirs", self.dest, "--leave-root"])

    def listing(self) -> list[str]:
        command = [self.exe, "lsf", "-R", "--files-only", self.dest]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode == RCLONE_DIR_NOT_FOUND:  # a first deploy to a new folder
            return []
        if done.returncode != 0:
            _run(command)  # raises with the message
        return [line for line in done.stdout.splitlines() if line]

    def differences(self, site: Path) -> list[str]:
        """Paths where the destination differs from the site ('*' changed, '+' only in the
        site, '-' only at the destination), by content hash where both sides have one."""
        report = tempfile.NamedTemporaryFile("w+", suffix=".txt", delete=False)
        report.close()
        try:
            subprocess.run(
                [self.exe, "check", str(site), self.dest, "--combined", report.name],
                capture_output=True,
                text=True,
            )
            lines = Path(report.name).read_text(encoding="utf-8").splitlines()
        finally:
            os.unlink(report.name)
        return [line for line in lines if line and not line.startswith("= ")]


class Rsync:
    """An rsync target, written ``rsync:user@host:/var/www/site`` or ``rsync:rsync://…``."""

    def __init__(self, dest: str) -> None:
        self.dest = dest.removeprefix("rsync:").rstrip("/") + "/"
        self.deletes_by_comparison = True
        self.exe = _tool("rsync")

    def _stats(self, done: subprocess.CompletedProcess[str], files: int) -> Transfer:
        sent = 0
        for line in done.stdout.splitlines():
            if line.startswith("Total transferred file size:"):
                sent = int(line.split(":")[1].split()[0].replace(",", ""))
        return Transfer(files, sent)

    def upload(self, site: Path, paths: list[str]) -> Transfer:
        with _list_file(paths) as listing:
            done = _run(
                [self.exe, "-a", "--checksum", "--stats", f"--files-from={listing}",
                 f"{site}/", self.dest]
            )  # fmt: skip
        return self._stats(done, len(paths))

    def delete(self, site: Path, paths: list[str]) -> None:
        # rsync deletes by comparison: after the uploads, the site is what it must hold
        _run([self.exe, "-a", "--checksum", "--delete", f"{site}/", self.dest])

    def listing(self) -> list[str]:
        """Nothing: rsync's deletion phase compares the whole tree (--delete) instead."""
        return []

    def differences(self, site: Path) -> list[str]:
        done = _run(
            [self.exe, "-a", "-n", "--checksum", "--delete", "--out-format=* %n",
             f"{site}/", self.dest]
        )  # fmt: skip
        return [
            line for line in done.stdout.splitlines() if line.strip() and not line.endswith("/")
        ]


def transport_for(dest: str) -> Rclone | Rsync:
    return Rsync(dest) if dest.startswith("rsync:") else Rclone(dest)


# --- a deploy ---------------------------------------------------------------------------


@dataclass
class DeployResult:
    plan: Plan
    uploaded: Transfer
    resumed: list[str]  # phases an interrupted deploy had already done
    first: bool  # no record of an earlier deploy to this destination


def deploy(
    site: Path,
    dest: str,
    *,
    state_dir: Path | None = None,
    dry_run: bool = False,
    after_phase: Callable[[str], None] = lambda phase: None,
) -> DeployResult:
    """Bring ``dest`` to the site in three phases (see the module docstring)."""
    site = site.resolve()
    if not (site / "index.html").is_file():
        raise DeployError(
            f"{site} 不是已构建的网站（没有 index.html）：先运行 kaifang build / "
            f"{site} is not a built site (no index.html): run kaifang build first"
        )
    transport = transport_for(dest)
    where = state_path(site, dest, state_dir)
    state = load_state(where)
    new = site_manifest(site)
    deployed: Manifest = state.get("deployed", {})
    pending = state.get("pending") or {}
    unsure: set[str] = set()
    done_phases: list[str] = []
    if pending:
        if pending.get("target") == new:
            done_phases = list(pending.get("done", []))
            deployed = pending.get("base", deployed)
        else:  # interrupted on the way to another site: what it touched is unknown
            unsure = set(pending.get("touched", []))
    first = not state.get("deployed") and not pending
    if first and not dry_run:
        # nothing recorded: what is at the destination decides what to delete; --checksum
        # skips files that are already there with the same content
        deployed = {path: [-1, ""] for path in transport.listing()}
    the_plan = plan(new, deployed, unsure)
    if dry_run:
        return DeployResult(the_plan, Transfer(), [], first)
    pending = {
        "target": new,
        "base": deployed,
        "done": done_phases,
        "touched": sorted(set(the_plan.files) | set(the_plan.pages) | set(the_plan.deletions)),
    }
    state = {"format": STATE_FORMAT, "dest": dest, "deployed": state.get("deployed", {})}
    uploaded = Transfer()
    for phase in PHASES:
        if phase in done_phases:
            continue
        paths = the_plan.phase(phase)
        if paths or (phase == "deletions" and first and transport.deletes_by_comparison):
            if phase == "deletions":
                transport.delete(site, paths)
            else:
                sent = transport.upload(site, paths)
                uploaded = Transfer(uploaded.files + sent.files, uploaded.bytes + sent.bytes)
        pending["done"] = [*pending["done"], phase]
        save_state(where, {**state, "pending": pending})
        after_phase(phase)
    save_state(where, {**state, "deployed": new, "pending": None})
    return DeployResult(the_plan, uploaded, done_phases, first)


@dataclass
class VerifyResult:
    differences: list[str]
    site_changed: bool  # the site is not what was last deployed (a build since)
    deployed: bool  # there is a record of a completed deploy


def verify(site: Path, dest: str, *, state_dir: Path | None = None) -> VerifyResult:
    """Compare the destination with the site, file by file. What differs is struck from
    the record of the last deploy, so that the next deploy sends (or deletes) it again."""
    site = site.resolve()
    transport = transport_for(dest)
    where = state_path(site, dest, state_dir)
    state = load_state(where)
    deployed = state.get("deployed") or {}
    differences = transport.differences(site)
    site_changed = bool(deployed) and site_manifest(site) != deployed
    if differences and deployed:
        for line in differences:
            mark, _, path = line.partition(" ")
            if mark == "-":  # only at the destination: the next deploy deletes it
                deployed[path] = [-1, ""]
            else:
                deployed.pop(path, None)
        save_state(where, {**state, "deployed": deployed})
    return VerifyResult(differences, site_changed, bool(deployed) and not state.get("pending"))
