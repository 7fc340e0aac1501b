"""Finding, reading and validating method files, with every problem located by YAML line.

A method is named by a path or by its id. Ids resolve to ``<id>.yaml`` beside the file that refers
to it, then in ``<programme_dir>/methods`` (a county's own files), then among the
methods shipped in ``engine/methods/``. The reading and the wording of Pydantic errors are the
programme loader's, so a method file and a programme file report problems the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from zhuansheng import workspace
from zhuansheng.errors import InputRejected, Problem, ZhuanshengError
from zhuansheng.yamlfile import plain, read_tree, validated

from . import plans
from .schema import MODELS, CarbonMethod, Method, MujunMethod, ScreenMethod

SHIPPED = resources.files("zhuansheng.engine") / "methods"
DEFAULTS = {"carbon": "carbon-2022", "mujun": "mujun-huangyan-2022", "screen": "screening-default"}
KIND_ZH = {"carbon": "碳效码", "mujun": "亩均效益评价", "screen": "高耗低效筛查"}


@dataclass(frozen=True)
class Loaded:
    """A validated method with the file it came from (and that file's hash, for the run record)."""

    method: Method
    path: Path
    sha256: str


def shipped_methods() -> list[Path]:
    return sorted(Path(str(p)) for p in SHIPPED.iterdir() if p.name.endswith(".yaml"))


def _search_dirs(beside: Path | None) -> list[Path]:
    dirs = [beside] if beside is not None else []
    return [*dirs, workspace.current().programme_dir / "methods", Path(str(SHIPPED))]


def resolve(name: str | Path, *, beside: Path | None = None) -> Path:
    """The file of a method given as a path or an id."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise ZhuanshengError(f"方法文件不存在：{path} (method file not found)")
        return path
    for folder in _search_dirs(beside):
        for suffix in (".yaml", ".yml"):
            candidate = folder / f"{name}{suffix}"
            if candidate.is_file():
                return candidate
    known = ", ".join(p.stem for p in shipped_methods())
    raise ZhuanshengError(f"找不到方法 {name}；系统自带：{known} (unknown method id)")


def _fast(path: Path) -> Method | None:
    """The method when the file is valid, without line tracking; None otherwise.

    Valid files are the usual case, and the reader that tracks lines is ten times slower. A
    file read before is taken from ``<var>/cache/methods`` by the hash of its bytes (and of the
    engine's code): the JSON there is the validated model itself."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    key = plans.plan_key({"method_file": hashlib.sha256(data).hexdigest()})
    kept = plans.cache_dir().parent / "methods" / f"{key}.json"
    if plans.enabled():
        try:
            text = kept.read_text(encoding="utf-8")
            model = MODELS[json.loads(text)["kind"]]
            return model.model_validate_json(text)  # type: ignore[return-value]
        except Exception:  # not kept yet, or unreadable: read the YAML
            pass
    try:
        doc = YAML(typ="safe").load(data.decode("utf-8"))
        method = MODELS[doc["kind"]].model_validate(doc)
    except Exception:  # any problem: the careful path below reports it with its line
        return None
    plans.store_text(kept, method.model_dump_json(by_alias=True))
    return method  # type: ignore[return-value]


def validate_method_file(path: Path | str) -> tuple[Method | None, list[Problem]]:
    """The method in ``path`` and the problems found (the method is None when there are any)."""
    path = Path(path)
    method = _fast(path)
    if method is not None:
        return method, []
    tree, problems = read_tree(path)
    if tree is None:
        return None, problems
    kind = plain(tree).get("kind")
    if kind not in MODELS:
        line = tree.lc.key("kind")[0] + 1 if "kind" in tree else 1
        return None, [
            Problem(
                f"kind 应为 {', '.join(MODELS)} 之一，实为 {kind!r} (unknown method kind)",
                where=f"kind (第 {line} 行)",
                row=line,
            )
        ]
    parsed, problems = validated(path, MODELS[kind])
    return parsed, problems  # type: ignore[return-value]


@cache
def _load_cached(path: Path, stamp: tuple[int, int]) -> Loaded:
    method, problems = validate_method_file(path)
    if method is None:
        raise InputRejected(str(path), problems)
    return Loaded(method, path, hashlib.sha256(path.read_bytes()).hexdigest())


def load(name: str | Path, *, beside: Path | None = None, kind: str | None = None) -> Loaded:
    """A validated method by path or id; ``kind`` checks it is the kind the caller expects."""
    path = resolve(name, beside=beside).resolve()
    st = path.stat()
    loaded = _load_cached(path, (st.st_mtime_ns, st.st_size))
    if kind is not None and loaded.method.kind != kind:
        raise ZhuanshengError(
            f"{path} 是 {KIND_ZH[loaded.method.kind]} 方法，不是 {KIND_ZH[kind]} 方法 "
            f"(method kind is {loaded.method.kind}, expected {kind})"
        )
    return loaded


def load_default(kind: str) -> Loaded:
    return load(DEFAULTS[kind], kind=kind)


def carbon_for(method: MujunMethod | ScreenMethod, path: Path) -> Loaded:
    """The carbon method a 亩均 or screening method takes its energy coefficients from."""
    name = method.energy.coefficients if isinstance(method, MujunMethod) else method.uses.carbon
    return load(name, beside=path.parent, kind="carbon")


def mujun_for(method: ScreenMethod, path: Path) -> Loaded:
    return load(method.uses.mujun, beside=path.parent, kind="mujun")


def describe(loaded: Loaded) -> dict[str, Any]:
    """What a run records about its method."""
    m = loaded.method
    return {"id": m.id, "version": m.version, "path": str(loaded.path), "sha256": loaded.sha256}


__all__ = [
    "DEFAULTS",
    "CarbonMethod",
    "Loaded",
    "MujunMethod",
    "ScreenMethod",
    "carbon_for",
    "describe",
    "load",
    "load_default",
    "mujun_for",
    "resolve",
    "shipped_methods",
    "validate_method_file",
]
