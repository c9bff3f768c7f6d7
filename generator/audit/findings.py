"""What the audit reports: findings, each naming where a value was found, never the value."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..checks.personal import PII_LABELS
from ..errors import Problem

log = logging.getLogger(__name__)

# --- what the audit reports --------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One violation. ``masked`` is the only form of the value ever kept."""

    kind: str  # "leak", "unreadable", or a personal-data kind from policy.PII_KINDS
    output: str  # the output file (or archive member) where it was found
    masked: str = ""
    dataset: str = ""
    resource: str = ""
    field: str = ""
    row: int | None = None
    file: str = ""  # the catalog file that holds the value
    place: str = "data"  # "data": a published resource; "archive": a file under archive/

    def problem(self) -> Problem:
        if self.kind == "unreadable":
            return Problem(
                "audit-unreadable",
                f"审计无法读取输出文件 {self.output}，不能证明其中没有非开放数据",
                f"the audit cannot read output file {self.output}, so it cannot show that it "
                "holds no non-open data",
                file=self.output,
                found=self.masked,
                hint="不要在输出中写入加密或无法解压的文件",
                hint_en="do not write encrypted or unreadable archives into the output",
            )
        if self.kind == "leak":
            return Problem(
                "audit-leak",
                f"非开放数据（资源 {self.resource}）的值出现在输出文件 {self.output} 中",
                f"a value of non-open data (resource {self.resource}) appears in output file "
                f"{self.output}",
                file=self.file,
                dataset=self.dataset,
                row=self.row,
                field=self.field,
                found=self.masked,
                hint="找出把该值写入此文件的模板或构建阶段；"
                "开放与否只能由 generator/policy.py 决定",
                hint_en="find the template or stage that wrote the value into this file; only "
                "generator/policy.py decides what is published",
            )
        label = PII_LABELS[self.kind]
        if self.place == "archive":
            return Problem(
                f"audit-pii-archive-{self.kind}",
                f"存档的旧版本 {self.output} 含有个人信息：{label[0]}",
                f"the archived version {self.output} holds personal data: {label[1]}",
                file=self.file,
                dataset=self.dataset,
                row=self.row,
                field=self.field,
                found=self.masked,
                hint="撤回该存档：删除目录 history/ 中该数据集记录里的这一存档文件，并用 "
                "kaifang build 重新构建（构建会自动撤回当前表结构不允许的存档）",
                hint_en="withdraw the archived version: delete the file from the dataset's "
                "record in the catalog's history/ folder and build again with kaifang build "
                "(a build withdraws archived files the current schema does not allow)",
            )
        return Problem(
            f"audit-pii-{self.kind}",
            f"开放资源 {self.resource} 含有个人信息：{label[0]}（发布文件 {self.output}）",
            f"open resource {self.resource} contains personal data: {label[1]} (published "
            f"file {self.output})",
            file=self.file,
            dataset=self.dataset,
            row=self.row,
            field=self.field,
            found=self.masked,
            hint="删除或脱敏该值；如该字段依法可以公开（例如单位的公开联系邮箱），"
            f"在字段的 schema 中声明 pii_allowed: [{self.kind}]",
            hint_en="remove or desensitise the value; if the field may lawfully be public (an "
            f"institution's public e-mail, say), declare pii_allowed: [{self.kind}] in its schema",
        )


@dataclass
class AuditResult:
    findings: list[Finding] = field(default_factory=list)
    texts: list[Problem] = field(default_factory=list)  # personal data in metadata text
    files: int = 0
    bytes: int = 0
    secrets: int = 0
    # relative path -> [size, mtime in ns] of every file read, as publish.manifest gives
    # them, from the descriptor each was read through; None when a file could not be
    # opened (the build then walks the published tree for them)
    stats: dict[str, list[int]] | None = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings and not self.texts

    def problems(self) -> list[Problem]:
        return [f.problem() for f in self.findings] + self.texts
