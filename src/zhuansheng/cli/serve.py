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
    app = create_app()
    console.print(
        f"转升平台网页：http://{host}:{port}/  （API 文档 http://{host}:{port}/api/docs）"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
