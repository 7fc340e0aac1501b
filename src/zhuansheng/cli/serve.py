"""``zhuansheng serve``: the web application and REST API."""

from __future__ import annotations

import typer

from .output import console


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址 (address to listen on)"),
    port: int = typer.Option(8000, "--port", help="端口 (port)"),
    workers: int = typer.Option(
        1, "--workers", min=1, help="服务进程数，会话经数据库共享 (server processes)"
    ),
) -> None:
    """启动网页与 REST API（可多进程；会话保存在数据库中，重启不掉线）。

    Serves the web application and /api/v1 on http://HOST:PORT, in WORKERS processes that share
    the sessions through the store. Settings: ZHUANSHENG_WEB_* environment variables, see
    docs/*/web.md.
    """
    import uvicorn

    from zhuansheng import store
    from zhuansheng.config import settings
    from zhuansheng.errors import ZhuanshengError
    from zhuansheng.web import create_app

    # a store without the current schema would answer every page with an error: say so now
    url = settings().database_url
    current, head = store.current_revision(url), store.head_revision()
    if current != head:
        state = "尚未建表" if current is None else f"结构版本为 {current}，应为 {head}"
        raise ZhuanshengError(
            f"数据库 {url} {state}：请先运行 zhuansheng db upgrade（并 zhuansheng db seed 载入"
            "工作要点与行政区划），或用 zhuansheng demo build 生成合成演示数据 "
            "(the store is not at the current schema)"
        )
    console.print(
        f"转升平台网页：http://{host}:{port}/  （API 文档 http://{host}:{port}/api/docs）"
        + (f"，{workers} 个服务进程" if workers > 1 else "")
    )
    options = {"host": host, "port": port, "log_level": "warning", "access_log": False}
    if workers > 1:  # each process builds its own app from the same settings
        uvicorn.run("zhuansheng.web:create_app", factory=True, workers=workers, **options)
    else:
        uvicorn.run(create_app(), **options)
