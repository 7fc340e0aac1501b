"""Atomic file writing: a file appears whole or not at all, and a failure keeps the old one."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from zhuansheng import atomic


def test_a_failure_inside_the_block_leaves_no_new_file(tmp_path: Path) -> None:
    final = tmp_path / "sub" / "a.txt"
    with pytest.raises(RuntimeError), atomic.replacing(final) as tmp:
        tmp.write_text("half")
        raise RuntimeError("stopped")
    assert not final.exists()
    assert list(final.parent.iterdir()) == []


def test_a_failure_keeps_the_old_file(tmp_path: Path) -> None:
    final = tmp_path / "a.txt"
    final.write_text("old")
    with pytest.raises(RuntimeError), atomic.replacing(final) as tmp:
        tmp.write_text("new but ")
        assert final.read_text() == "old"  # nothing under the final name while writing
        raise RuntimeError("stopped")
    assert final.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_the_file_appears_whole(tmp_path: Path) -> None:
    final = tmp_path / "a.bin"
    final.write_bytes(b"old")
    with atomic.replacing(final) as tmp:
        assert tmp.parent == final.parent and tmp.name.startswith(".")
        for chunk in (b"one ", b"two ", b"three"):
            with open(tmp, "ab") as fh:
                fh.write(chunk)
            assert final.read_bytes() == b"old"
    assert final.read_bytes() == b"one two three"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_conveniences_and_permissions(tmp_path: Path) -> None:
    atomic.write_text(tmp_path / "t.txt", "转升\n", encoding="utf-8-sig")
    assert (tmp_path / "t.txt").read_bytes() == "\ufeff转升\n".encode()
    secret = atomic.write_bytes(tmp_path / "secret", b"s3cret", mode=0o600)
    assert secret.read_bytes() == b"s3cret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_a_batch_is_published_all_or_none(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("old a")
    (tmp_path / "c").mkdir()  # a folder where the last file should go: its rename fails
    staged = []
    for name in ("a", "b", "c"):
        tmp = atomic.temporary_name(tmp_path / name)
        tmp.write_text(f"new {name}")
        staged.append((tmp, tmp_path / name))
    with pytest.raises(OSError):
        atomic.publish_all(staged)
    assert (tmp_path / "a").read_text() == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "c"]

    (tmp_path / "c").rmdir()
    staged = []
    for name in ("a", "b", "c"):
        tmp = atomic.temporary_name(tmp_path / name)
        tmp.write_text(f"new {name}")
        staged.append((tmp, tmp_path / name))
    assert atomic.publish_all(staged) == [tmp_path / n for n in ("a", "b", "c")]
    assert [(tmp_path / n).read_text() for n in ("a", "b", "c")] == ["new a", "new b", "new c"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "c"]
