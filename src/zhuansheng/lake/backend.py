"""The in-process DuckDB backend for Ibis, configured never to fetch an extension.

The DuckDB build used here has only ``core_functions``, ``icu``, ``json`` and ``parquet`` built in.
Left to its defaults DuckDB would try to download any other extension a query mentions (``httpfs``
for a URL, ``spatial`` …) and hang or fail slowly on a machine without internet. So autoinstall and
autoload are off, and the extension repository points at a path that cannot exist, so even an
explicit ``INSTALL`` fails at once with a clear message instead of waiting on the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zhuansheng.errors import ZhuanshengError

if TYPE_CHECKING:
    import ibis

__all__ = ["NO_DOWNLOAD_CONFIG", "REQUIRED_EXTENSIONS", "connect"]

# /dev/null is a file, so nothing can ever live below it: every INSTALL fails immediately.
NO_DOWNLOAD_CONFIG: dict[str, Any] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "custom_extension_repository": "/dev/null/zhuansheng-no-extension-downloads",
}
REQUIRED_EXTENSIONS = ("parquet",)


def connect(**config: Any) -> ibis.BaseBackend:
    """An in-memory Ibis DuckDB connection that never downloads extensions.

    ``config`` adds DuckDB settings (e.g. ``threads=4``, ``memory_limit="2GB"``); the no-download
    settings cannot be overridden here. Fails fast if a required built-in extension is missing.
    """
    # the backend class itself: ``ibis.duckdb`` would first scan every installed package's entry
    # points for backends, which costs more than the connection
    from ibis.backends.duckdb import Backend

    con = Backend().connect(":memory:", **{**config, **NO_DOWNLOAD_CONFIG})
    loaded = {
        name
        for name, is_loaded in con.raw_sql(
            "SELECT extension_name, loaded FROM duckdb_extensions()"
        ).fetchall()
        if is_loaded
    }
    missing = [e for e in REQUIRED_EXTENSIONS if e not in loaded]
    if missing:
        con.disconnect()
        raise ZhuanshengError(
            f"DuckDB 缺少内置扩展 {', '.join(missing)}，且不允许运行时下载 "
            "(DuckDB build lacks a required built-in extension; downloads are disabled)"
        )
    return con
