"""Evidence files (佐证材料) attached to a report: checked like every upload
(``zhuansheng.uploads``: the content matches the extension, size and zip limits) and kept under
the workspace by their SHA-256, written atomically. Milestone reports and case progress updates
keep theirs in folders of their own."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zhuansheng import atomic, uploads
from zhuansheng.errors import Invalid, NotFound

SUFFIXES = (".pdf", ".docx", ".xlsx", ".png", ".jpg", ".jpeg")
MAX_FILES = 10


@dataclass(frozen=True)
class Evidence:
    """A checked evidence file, ready to be kept: where it is now and what it is."""

    path: Path
    file_name: str
    sha256: str
    size_bytes: int
    suffix: str
    folder: Path  # under the workspace's var/

    @property
    def stored_name(self) -> str:
        return (self.folder / f"{self.sha256}{self.suffix}").as_posix()


def check(path: Path, folder: Path, file_name: str | None = None) -> Evidence:
    """An evidence file whose content matches its extension (pdf, docx, xlsx, png, jpg) and
    whose size is within the upload limit; ``InputRejected`` otherwise."""
    name = file_name or path.name
    suffix = uploads.check_kind(path, source=name, suffixes=SUFFIXES)
    data = path.read_bytes()
    return Evidence(path, name, hashlib.sha256(data).hexdigest(), len(data), suffix, folder)


def check_files(files: Sequence[tuple[Path, str]], folder: Path, what: str) -> list[Evidence]:
    """Every file of one report checked, at most ``MAX_FILES`` of them."""
    if len(files) > MAX_FILES:
        raise Invalid(f"一份{what}最多附 {MAX_FILES} 个佐证文件，收到 {len(files)} 个")
    return [check(p, folder, n) for p, n in files]


def keep(var: Path, evidence: Sequence[Evidence]) -> None:
    """Copy the files under var/ by their SHA-256, all or none (a file kept before stays)."""
    staged = []
    for e in evidence:
        final = Path(var) / e.stored_name
        if final.is_file():
            continue
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = atomic.temporary_name(final)
        tmp.write_bytes(e.path.read_bytes())
        staged.append((tmp, final))
    atomic.publish_all(staged)


def stored(var: Path, stored_name: str, evidence_id: int) -> Path:
    """The kept file of an evidence row, or ``NotFound`` when it is gone."""
    path = Path(var) / stored_name
    if not path.is_file():
        raise NotFound(f"没有编号为 {evidence_id} 的佐证文件")
    return path
