"""Limits on data files, checked from their headers before any reader opens them.

An .xlsx is a zip archive. A few KB of it can inflate to gigabytes (a "zip bomb"), and
openpyxl and frictionless inflate what the archive says. The zip's central directory
states every member's compressed and uncompressed size, so reading it (a few KB at the
end of the file, no decompression) tells whether the workbook is plausible. The loader
refuses an implausible one, so `kaifang check`, `kaifang build` and `kaifang import` all
stop before inflating anything.

What is checked: the total uncompressed size, the compression ratio of each member over
1 MiB, the number of members, encrypted members, compression methods other than the two
Excel writes, and password-protected (encrypted) workbooks, which are not zips at all.
What is not: embedded objects inside the workbook (xl/embeddings/) are never opened by
Kaifang, so an archive nested in one is counted only by its own compressed size.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_XLSX_UNCOMPRESSED = 512 << 20  # 512 MiB: about 2 million rows of ten short columns
MAX_XLSX_RATIO = 200  # Excel's own sheets compress 5-50:1; a bomb compresses ~1000:1
RATIO_FROM_BYTES = 1 << 20  # small members (styles, themes) may compress as they like
MAX_XLSX_MEMBERS = 10_000
EXCEL_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: encrypted .xlsx or old .xls

SAVE_AGAIN = "用 Excel 或 WPS 打开后另存为 .xlsx（不设密码），或另存为“CSV UTF-8（逗号分隔）”"
SAVE_AGAIN_EN = "open it in Excel or WPS and save it again as .xlsx (without a password), or as "
SAVE_AGAIN_EN += "'CSV UTF-8 (comma delimited)'"


@dataclass(frozen=True)
class Refusal:
    """Why a data file is not opened: a bilingual message and what the limit is."""

    code: str
    zh: str
    en: str
    expected: str = ""
    expected_en: str = ""
    found: str = ""
    hint: str = SAVE_AGAIN
    hint_en: str = SAVE_AGAIN_EN

    def details(self) -> dict[str, str]:
        """The Problem fields beside the message."""
        return {
            "expected": self.expected,
            "expected_en": self.expected_en,
            "found": self.found,
            "hint": self.hint,
            "hint_en": self.hint_en,
        }


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB"


def inspect_xlsx(path: Path) -> Refusal | None:
    """A Refusal when the workbook at path must not be opened, else None.

    Reads the zip directory only: milliseconds and a few KB of memory, whatever the
    members would inflate to.
    """
    with open(path, "rb") as handle:
        magic = handle.read(len(OLE_MAGIC))
        if magic == OLE_MAGIC:
            return Refusal(
                "xlsx-encrypted",
                "工作簿设有密码（已加密），或是旧版 .xls 文件：无法读取",
                "the workbook is password-protected (encrypted) or an old .xls file: it "
                "cannot be read",
                expected="未加密的 .xlsx",
                expected_en="an .xlsx without a password",
                found="OLE2 / CFB",
            )
        try:
            with zipfile.ZipFile(handle) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            return Refusal(
                "xlsx-invalid",
                "不是有效的 .xlsx 工作簿（无法读取其 zip 目录）",
                "not a valid .xlsx workbook (its zip directory cannot be read)",
                expected=".xlsx（zip 格式）",
                expected_en=".xlsx (a zip archive)",
            )
    if len(members) > MAX_XLSX_MEMBERS:
        return Refusal(
            "xlsx-too-many-parts",
            f"工作簿含有 {len(members):,} 个部件，超过上限 {MAX_XLSX_MEMBERS:,}",
            f"the workbook has {len(members):,} parts, more than the limit of {MAX_XLSX_MEMBERS:,}",
            expected=f"≤ {MAX_XLSX_MEMBERS:,}",
            found=f"{len(members):,}",
        )
    for info in members:
        if info.flag_bits & 0x1:
            return Refusal(
                "xlsx-encrypted",
                f"工作簿的部件 {info.filename} 已加密，无法读取",
                f"part {info.filename} of the workbook is encrypted and cannot be read",
                expected="未加密的 .xlsx",
                expected_en="an .xlsx without a password",
            )
        if info.compress_type not in EXCEL_METHODS:
            return Refusal(
                "xlsx-compression",
                f"工作簿的部件 {info.filename} 使用了 Excel 不会使用的压缩方式"
                f"（{info.compress_type}）",
                f"part {info.filename} of the workbook uses a compression method Excel does "
                f"not write ({info.compress_type})",
                expected="stored / deflate",
                found=str(info.compress_type),
            )
        if info.file_size > RATIO_FROM_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_XLSX_RATIO:
                return Refusal(
                    "xlsx-bomb",
                    f"工作簿的部件 {info.filename} 从 {_mib(info.compress_size)} 解压为 "
                    f"{_mib(info.file_size)}（压缩比 {ratio:,.0f}:1，上限 "
                    f"{MAX_XLSX_RATIO}:1）：疑似“压缩炸弹”，未打开",
                    f"part {info.filename} of the workbook inflates from "
                    f"{_mib(info.compress_size)} to {_mib(info.file_size)} (ratio "
                    f"{ratio:,.0f}:1, limit {MAX_XLSX_RATIO}:1): a likely zip bomb; it was "
                    "not opened",
                    expected=f"≤ {MAX_XLSX_RATIO}:1",
                    found=f"{ratio:,.0f}:1",
                )
    total = sum(info.file_size for info in members)
    if total > MAX_XLSX_UNCOMPRESSED:
        return Refusal(
            "xlsx-too-large",
            f"工作簿解压后共 {_mib(total)}，超过上限 {_mib(MAX_XLSX_UNCOMPRESSED)}，未打开",
            f"the workbook inflates to {_mib(total)} in all, more than the limit of "
            f"{_mib(MAX_XLSX_UNCOMPRESSED)}; it was not opened",
            expected=f"≤ {_mib(MAX_XLSX_UNCOMPRESSED)}",
            found=_mib(total),
            hint="把数据另存为“CSV UTF-8（逗号分隔）”，或拆分为几个较小的文件",
            hint_en="save the data as 'CSV UTF-8 (comma delimited)', or split it into smaller "
            "files",
        )
    return None
