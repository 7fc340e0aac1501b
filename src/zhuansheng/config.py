"""Settings from ``ZHUANSHENG_*`` environment variables, an optional TOML file, and defaults.

Defaults are relative to the working directory (``./var/``) so that two demo worlds can live
side by side in two folders.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ENV_PREFIX = "ZHUANSHENG_"
CONFIG_FILE_NAME = "zhuansheng.toml"


@dataclass(frozen=True)
class Settings:
    database_url: str
    lake: Path
    var: Path
    programme_dir: Path  # extra programme files (e.g. 2023.yaml) beside the shipped ones
    # superseded versions of each lake partition that `zhuansheng lake gc` keeps (newest first)
    lake_keep_superseded: int = 3


def _toml_values() -> dict[str, object]:
    path = Path(os.environ.get(f"{ENV_PREFIX}CONFIG", CONFIG_FILE_NAME))
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return dict(data.get("zhuansheng", data))


def settings() -> Settings:
    """Current settings; read afresh on every call so tests and CLI options can change them."""
    file_values = _toml_values()

    def pick(name: str, default: str) -> str:
        return str(os.environ.get(ENV_PREFIX + name.upper()) or file_values.get(name) or default)

    var = Path(pick("var", "var"))
    lake = Path(pick("lake", str(var / "lake")))
    default_db = f"sqlite:///{var / 'zhuansheng.db'}"
    programme_dir = Path(pick("programme_dir", "programmes"))
    keep = pick("lake_keep_superseded", "3")
    if not keep.strip().isdigit():
        raise ValueError(
            f"{ENV_PREFIX}LAKE_KEEP_SUPERSEDED 应为非负整数，当前为 {keep!r} "
            "(lake_keep_superseded must be a whole number >= 0)"
        )
    return Settings(
        database_url=pick("database_url", default_db),
        lake=lake,
        var=var,
        programme_dir=programme_dir,
        lake_keep_superseded=int(keep),
    )
