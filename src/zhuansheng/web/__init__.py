"""The web application and REST API (FastAPI + Jinja2 + HTMX + ECharts, server-rendered).

    from zhuansheng.web import create_app, WebSettings
    app = create_app(WebSettings(all_regions_visible=False))

``zhuansheng serve`` runs it with uvicorn. See ``docs/*/web.md``.
"""

from .app import create_app
from .settings import WebSettings

__all__ = ["WebSettings", "create_app"]
