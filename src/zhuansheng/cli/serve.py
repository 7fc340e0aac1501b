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

    from zhuansheng import store, workspace
    from zhuansheng.web import create_app

    store.require_current(workspace.current().database_url)
    console.print(
        f"转升平台网页：http://{host}:{port}/  （API 文档 http://{host}:{port}/api/docs）"
        + (f"，{workers} 个服务进程" if workers > 1 else "")
    )
    # forwarding headers are read by the app, from ZHUANSHENG_WEB_TRUSTED_PROXIES only
    options = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "access_log": False,
        "proxy_headers": False,
    }
    if workers > 1:  # each process builds its own app from the same settings
        uvicorn.run("zhuansheng.web:create_app", factory=True, workers=workers, **options)
    else:
        uvicorn.run(create_app(), **options)
