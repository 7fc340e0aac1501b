"""The application factory: ``create_app(settings)`` wires sessions, templates, assets, pages and
the REST API, and turns every known error into the right status (HTML for pages, JSON for
``/api``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zhuansheng import atomic
from zhuansheng.access import Actor
from zhuansheng.errors import InputRejected, ZhuanshengError
from zhuansheng.services import monitoring, rankings, tokens
from zhuansheng.services.context import Caller
from zhuansheng.services.sessions import LoginLimiter, SessionStore
from zhuansheng.uploads import control_char
from zhuansheng.workspace import Workspace

from . import i18n, schemas
from . import settings as web_settings
from .deps import CsrfRejected, LoginRequired, Network, proxy_networks

log = logging.getLogger("zhuansheng.web")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    ),
]


@dataclass
class WebState:
    settings: web_settings.WebSettings
    ws: Workspace
    secret: str
    sessions: SessionStore
    limiter: LoginLimiter
    templates: Jinja2Templates
    monitor: monitoring.MonitorCache
    rankings: rankings.RankingCache
    proxies: tuple[Network, ...] = ()  # trusted reverse proxies (X-Forwarded-For)
    _synthetic: bool | None = None

    @property
    def synthetic(self) -> bool:
        """The store holds synthetic demo data (every page then says 合成演示数据)."""
        if self._synthetic is None:
            self._synthetic = monitoring.is_synthetic(self.ws)
        return self._synthetic

    def caller(self, actor: Actor, count_from: str | None = None) -> Caller:
        return Caller(
            self.ws,
            actor,
            all_regions_visible=self.settings.all_regions_visible,
            monitor=self.monitor,
            rankings=self.rankings,
            reports_dir=self.settings.reports_dir,
            count_from=count_from,
        )


class Guard:
    """Security headers on every response; bodies over the upload limit refused up front."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            response = _error(
                scope["path"],
                413,
                f"上传内容过大：文件不能超过 {self.max_body // (1024 * 1024)} MB",
                lang="zh",
                request=None,
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        bad = _control_in_query(scope.get("query_string", b""))
        if bad is not None:
            request = Request(scope, receive)
            lang = request.cookies.get(i18n.COOKIE, "zh")
            response = _error(
                scope["path"],
                400,
                f"查询参数 {bad[0]} 含有不可见的控制字符 {bad[1]}，请删除后重试",
                lang=lang if lang in i18n.LANGS else "zh",
                request=request,
            )
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def _control_in_query(query: bytes) -> tuple[str, str] | None:
    """The first query parameter (its name, shown safely) holding a control character (NUL and
    the other C0 characters but tab, CR and LF), and that character's name; ``None`` if none.
    Every page and API route reads its parameters after this check, so none ever reaches a
    service or the database (PostgreSQL refuses NUL; SQLite would search for it)."""
    if not query:
        return None
    text = query.decode("utf-8", "replace")
    for name, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
        found = control_char(name) or control_char(value)
        if found is not None:
            shown = name if control_char(name) is None else repr(name)[1:-1]
            return shown, found
    return None


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def _error(
    path: str,
    status: int,
    message: str,
    *,
    lang: str,
    request: Request | None,
    problems: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if _is_api(path) or request is None:
        body: dict[str, Any] = {"error": {"status": status, "message": message}}
        if problems:
            body["error"]["problems"] = problems
        return JSONResponse(body, status_code=status, headers=headers)
    web: WebState = request.app.state.web
    return web.templates.TemplateResponse(
        request,
        "error.html",
        {
            "status": status,
            "message": message,
            "problems": problems or [],
            "lang": lang,
            "ctx": None,
        },
        status_code=status,
        headers=headers,
    )


def _problems(exc: InputRejected) -> list[dict[str, Any]]:
    return [
        {
            "message": p.message,
            "where": p.where,
            "hint": p.hint,
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "level": p.level,
        }
        for p in exc.problems
    ]


def _invalid_problem(e: Any) -> dict[str, Any]:
    """One problem of a request the schema layer refused; a period of no accepted form says
    so in the words ``parse_period`` uses, with the accepted forms as the hint."""
    loc = e.get("loc", ())
    where = ".".join(str(x) for x in loc)
    if e.get("type") == "string_pattern_mismatch" and loc and loc[-1] == "period":
        shown = str(e.get("input", ""))[:20]
        return {"message": f"无法识别的期间 '{shown}'", "where": where, "hint": schemas.PERIOD_HINT}
    return {"message": e.get("msg", ""), "where": where}


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed(request: Request) -> str:
    """Every method some route takes at this path (Starlette's own header names only the first
    route's, and each method of the API is a route of its own)."""
    routes = request.app.router.routes
    return ", ".join(
        m
        for m in _METHODS
        if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes)
    )


def _handlers(app: FastAPI) -> None:
    def lang(request: Request) -> str:
        v = request.cookies.get(i18n.COOKIE, "zh")
        return v if v in i18n.LANGS else "zh"

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if _is_api(request.url.path):
            return _error(
                request.url.path,
                401,
                "未登录或令牌无效 (authentication required)",
                lang="zh",
                request=None,
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, exc: CsrfRejected) -> Response:
        return _error(
            request.url.path,
            403,
            "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
            lang=lang(request),
            request=request,
        )

    @app.exception_handler(ZhuanshengError)
    async def _domain(request: Request, exc: ZhuanshengError) -> Response:
        # The one mapping of domain errors to HTTP: each error class carries its status.
        message, problems = str(exc), None
        if isinstance(exc, InputRejected):
            message = f"{exc.source}：{len(exc.problems)} 处问题，未写入任何数据"
            problems = _problems(exc)
        return _error(
            request.url.path,
            exc.status,
            message,
            lang=lang(request),
            request=request,
            problems=problems,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [_invalid_problem(e) for e in exc.errors()]
        periods = [p for p in problems if p.get("hint") == schemas.PERIOD_HINT]
        message = "请求参数有误"
        if periods:  # the message names the bad period and its parameter, as parse_period would
            message += f"：{periods[0]['message']}（{periods[0]['where']}；{schemas.PERIOD_HINT}）"
        return _error(
            request.url.path,
            422,
            message,
            lang=lang(request),
            request=request,
            problems=problems,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed(request)
        return _error(
            request.url.path,
            exc.status_code,
            str(exc.detail),
            lang=lang(request),
            request=request,
            headers=headers,
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return _error(
            request.url.path,
            500,
            "服务器内部错误，已记录；请稍后重试或联系管理员",
            lang=lang(request),
            request=None,
        )


def create_app(settings: web_settings.WebSettings | None = None) -> FastAPI:
    from . import allocations, api, case_pages, cases, milestones, pages

    settings = settings or web_settings.from_env()
    # Private upload and download folders a killed server left behind (each request removes its
    # own; an hour-old one belongs to no running request).
    stale = atomic.clean_stale_temp()
    if stale:
        log.info("removed %d stale temporary folders", len(stale))
    templates = Jinja2Templates(directory=str(web_settings.PACKAGE_DIR / "templates"))
    pages.setup_templates(templates)
    app = FastAPI(
        title="Zhuansheng API",
        version="1",
        description="转升平台 REST API：与网页相同的服务与权限。令牌：`zhuansheng user token`。",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    ws = settings.workspace()
    monitor = monitoring.MonitorCache(ws)
    app.state.web = WebState(
        settings=settings,
        ws=ws,
        secret=settings.secret or tokens.secret_key(ws),
        sessions=SessionStore(ws, settings.idle_timeout_s),
        limiter=LoginLimiter(
            settings.login_attempts, settings.login_address_attempts, settings.login_window_s
        ),
        templates=templates,
        monitor=monitor,
        rankings=rankings.RankingCache(ws, monitor),
        proxies=proxy_networks(settings.trusted_proxies),
    )
    _handlers(app)
    app.mount("/static", StaticFiles(directory=web_settings.PACKAGE_DIR / "static"), name="static")
    nm = settings.node_modules
    for name, sub in (("echarts", "echarts/dist"), ("htmx", "htmx.org/dist")):
        if (nm / sub).is_dir():
            app.mount(f"/assets/{name}", StaticFiles(directory=nm / sub), name=name)
        else:
            log.warning("front-end assets missing: %s (run npm ci)", nm / sub)
    app.include_router(api.router)
    app.include_router(allocations.api)
    app.include_router(milestones.api)
    app.include_router(cases.api)
    app.include_router(pages.router)
    app.include_router(allocations.router)
    app.include_router(milestones.pages)
    app.include_router(case_pages.router)
    app.add_middleware(Guard, max_body=settings.max_upload_bytes + 64 * 1024)
    return app
