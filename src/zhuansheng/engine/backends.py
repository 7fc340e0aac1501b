"""Where the expressions run: DuckDB in-process (default) or PySpark (local mode or a cluster).

The engine functions never import a backend; a run picks one here, like an injected transport.
PySpark is optional: asking for it without pyspark or Java fails with a message saying what to
install. The Spark session is configured from environment variables so that the same command runs
in local mode on a laptop and on a cluster:

* ``ZHUANSHENG_SPARK_MASTER`` — ``local[*]`` by default; ``yarn``, ``spark://host:7077``,
  ``k8s://…`` for a cluster (or launch with ``spark-submit``, which sets the master itself);
* ``ZHUANSHENG_SPARK_REMOTE`` — a Spark Connect address ``sc://host:15002`` instead of a master;
* ``ZHUANSHENG_SPARK_CONF`` — extra settings, ``key=value`` pairs separated by ``;``
  (e.g. ``spark.executor.memory=8g;spark.hadoop.fs.s3a.endpoint=…``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from zhuansheng.errors import ZhuanshengError

if TYPE_CHECKING:
    import ibis

ENGINES = ("duckdb", "spark")
SPARK_DEFAULTS = {
    # Ibis guards every division; ANSI mode (Spark 4's default) would still reject some casts
    # DuckDB accepts, so the backends are kept on the same, non-ANSI semantics.
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
}


def spark_available() -> str | None:
    """Why Spark cannot run here (None when it can): pyspark importable and a Java runtime."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "未安装 pyspark（pip install 'pyspark>=3.5,<4.1'）(pyspark is not installed)"
    java = shutil.which("java") or (
        os.path.join(os.environ["JAVA_HOME"], "bin", "java") if "JAVA_HOME" in os.environ else None
    )
    if not java or not os.path.exists(java):
        return "找不到 Java 运行环境（需要 Java 17）(no Java runtime found; Spark needs Java 17)"
    try:
        subprocess.run([java, "-version"], capture_output=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "Java 无法运行 (the Java runtime does not start)"
    return None


def _spark_conf() -> dict[str, str]:
    conf = dict(SPARK_DEFAULTS)
    for pair in os.environ.get("ZHUANSHENG_SPARK_CONF", "").split(";"):
        if "=" in pair:
            key, value = pair.split("=", 1)
            conf[key.strip()] = value.strip()
    return conf


def spark_session() -> Any:
    """The active Spark session, or a new one configured from the environment."""
    why = spark_available()
    if why:
        raise ZhuanshengError(f"无法使用 Spark 引擎：{why}")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("zhuansheng-evaluate")
    remote = os.environ.get("ZHUANSHENG_SPARK_REMOTE")
    if remote:
        builder = builder.remote(remote)
    else:
        builder = builder.master(os.environ.get("ZHUANSHENG_SPARK_MASTER", "local[*]"))
    for key, value in _spark_conf().items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect(engine: str = "duckdb") -> ibis.BaseBackend:
    """An Ibis backend for ``engine`` (``duckdb`` never downloads extensions)."""
    if engine == "duckdb":
        from zhuansheng.lake import connect as duckdb_connect

        return duckdb_connect()
    if engine == "spark":
        import ibis

        return ibis.pyspark.connect(spark_session())
    raise ZhuanshengError(f"未知的计算引擎 {engine}，应为 duckdb 或 spark (unknown engine)")


def backend_of(con: ibis.BaseBackend) -> str:
    """``duckdb`` or ``spark``: the one place that tells which engine a connection runs on."""
    name = con.name
    if name == "duckdb":
        return "duckdb"
    if name == "pyspark":
        return "spark"
    raise ZhuanshengError(f"不支持的计算引擎 {name}，应为 duckdb 或 spark (unsupported backend)")


def is_url(path: str | os.PathLike[str]) -> bool:
    return "://" in str(path)


@contextmanager
def unfused() -> Iterator[None]:
    """Compile without fusing nested selects into one.

    DuckDB and Spark flatten nested projections themselves; Ibis fusing them first costs seconds
    of Python on a pipeline of this depth (about a second per 10^5-row run), for the same plan.
    """
    import ibis

    before = ibis.options.sql.fuse_selects
    ibis.options.sql.fuse_selects = False
    try:
        yield
    finally:
        ibis.options.sql.fuse_selects = before
