"""``zhuansheng serve``: the web application and REST API."""

from __future__ import annotations

import typer

from .output import console


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址 (address to listen on)"),
    port: int = typer.Option(8000, "--port", help="端口 (port)"),
) -> None:
    """启动网页与 REST API（单进程；会话保存在进程内存中）。

    Serves the web application and /api/v1 on http://HOST:PORT (one process: sessions live in
    its memory). Settings: ZHUANSHENG_WEB_* environment variables, see docs/*/web.md.
    """
    import uvicorn

    from zhuansheng.web import create_app

    app = create_app()
    console.print(
        f"转升平台网页：http://{host}:{port}/  （API 文档 http://{host}:{port}/api/docs）"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
