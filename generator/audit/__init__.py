"""Audit stage (8): the last check on a finished output tree, before it is swapped into site/.

It reads what was written, whatever stage wrote it, and proves two things:

1. No cell value of a conditional or closed resource appears in any output file: HTML,
   JSON, CSV, XML feeds, search index fragments, and the members of ZIP/XLSX, gzip, bzip2
   and xz files. Text is also read with HTML entities, ``\\uXXXX`` escapes and %-escapes
   decoded, so an escaped value is found too. A file the audit cannot read (a corrupt or
   encrypted archive, zstd) fails the audit: it cannot be shown clean.
2. What is published carries no personal data: resident ID numbers (18 digits with a
   valid GB 11643 check character and birth date, or 15 digits), mainland mobile numbers,
   bank card numbers (13–19 digits passing Luhn, from a card network's number range) and
   e-mail addresses, in any spelling (generator/checks/personal.py), in the published
   CSVs of open resources (unless the field's schema says ``pii_allowed``), in the files
   kept under archive/, and in every metadata string the site shows (less the declared
   contacts of site.yaml, publishers.yaml and the dataset).

Which values are looked for (the threshold; see README "The audit"): a cell value, trimmed,
counts when it has at least 3 Chinese characters, or at least 6 characters of which one is
a digit, or at least 12 characters; plain numbers of fewer than 8 digits, dates and times
and true/false never count. Values that are public anyway are ignored: those that occur in
the open data, the source values of fields that an open derivative publishes with ``keep``,
and Kaifang's own interface text. Text the publisher wrote is not public by being written.
A hidden closed dataset (``hide_closed: true``) adds its id, identifier and title to the
values looked for.

The matching uses one Aho–Corasick automaton over the UTF-8 bytes of every value, so each
file is read once whatever the number of values. A value whose first or last character is
an ASCII letter or digit only counts where it is not part of a longer word or number.
Messages name dataset, resource, field and row, and never print a value in full.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from ..model import Catalog
from ..search import Indexing
from .findings import AuditResult
from .personal import audit_personal_data
from .scan import Proofs, audit_leaks
from .values import SecretIndex

__all__ = ["SecretIndex", "audit"]

log = logging.getLogger(__name__)

# --- the whole audit ---------------------------------------------------------------------


def audit(
    root: Path,
    catalog: Catalog,
    jobs: int | None = 1,
    search: Indexing | None = None,
    proofs: Proofs | None = None,
    secrets: SecretIndex | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> AuditResult:
    """Audit an output tree against the catalog it was built from; jobs: worker processes
    for scanning the tree (None: one per CPU). ``search``: a search index still being
    built, read last (see :func:`~generator.audit.scan.scan_tree`). ``proofs``: the
    compress stage's record of the siblings it wrote (a sibling that matches it is not
    decompressed; without it, as in ``kaifang audit``, every sibling is). ``secrets``:
    ``SecretIndex(catalog)`` when the caller built it already; ``meanwhile``: the
    caller's own work, run in this process while the workers scan, after that check.

    The personal-data check runs in this process while the workers scan the tree for
    leaks; its findings come after theirs, as when one followed the other."""
    result = AuditResult()
    personal = AuditResult()
    audit_leaks(
        root,
        catalog,
        result,
        jobs,
        search,
        proofs,
        secrets,
        meanwhile=lambda: _meanwhile(root, catalog, personal, meanwhile),
    )
    result.findings += personal.findings
    result.texts += personal.texts
    log.info(
        "audit: %d files, %d bytes, %d values looked for, %d findings",
        result.files,
        result.bytes,
        result.secrets,
        len(result.findings),
    )
    return result


def _meanwhile(
    root: Path, catalog: Catalog, personal: AuditResult, then: Callable[[], None] | None
) -> None:
    audit_personal_data(root, catalog, personal)
    if then is not None:
        then()
