"""The server-rendered pages (Chinese first). Handlers stay thin: parse the request, call a
service of ``zhuansheng.services`` (which asks ``zhuansheng.access``), render a template."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.background import BackgroundTask

from zhuansheng import formatting, tabular
from zhuansheng.collect import workflow
from zhuansheng.errors import InputRejected, Invalid, NotFound, ZhuanshengError
from zhuansheng.monitor import ROW_COLUMNS
from zhuansheng.periods import parse_period
from zhuansheng.services import (
    accounts,
    audit,
    enterprises,
    lists,
    major_projects,
    monitoring,
    rankings,
    region_detail,
    regions,
    reports,
    sessions,
    submissions,
)
from zhuansheng.services.sessions import COOKIE, LOGIN_COOKIE

from . import geo, i18n, offload
from .deps import CSRF_FIELD, Ctx, client_address, lang, page_ctx, state
from .files import XLSX, download_url, read_upload, report_file, temporary_download

router = APIRouter(include_in_schema=False)
Page = Annotated[Ctx, Depends(page_ctx)]
PAGE_SIZE = 50


# --- template helpers ----------------------------------------------------------------------


def _json_script(value: Any) -> Markup:
    # Data for the page's script, safe inside <script type="application/json">.
    text = json.dumps(value, ensure_ascii=False, default=str)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def setup_templates(templates: Jinja2Templates) -> None:
    env = templates.env
    env.filters["num"] = formatting.number
    env.filters["pct"] = formatting.pct
    env.filters["json_script"] = _json_script
    env.globals["t"] = i18n.translate
    env.globals["status_zh"] = workflow.STATUS_ZH
    env.globals["csrf_field"] = CSRF_FIELD
    env.globals["query"] = _query


def render(
    request: Request, ctx: Ctx | None, template: str, status: int = 200, **data: Any
) -> Response:
    web = state(request)
    return web.templates.TemplateResponse(
        request,
        template,
        {
            "ctx": ctx,
            "lang": ctx.lang if ctx else lang(request),
            "synthetic": web.synthetic,
            **data,
        },
        status_code=status,
    )


def _xlsx(rows: list[dict[str, Any]], columns: list[str], name: str, sheet: str) -> FileResponse:
    fd, name_ = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    tmp = Path(name_)
    tabular.write_xlsx(rows, tmp, columns, sheet=sheet, colour_column="colour")
    return FileResponse(
        tmp,
        filename=name,
        media_type=XLSX,
        background=BackgroundTask(tmp.unlink, missing_ok=True),
    )


def _session_cookie(response: Response, request: Request, sid: str) -> None:
    response.set_cookie(
        COOKIE,
        sid,
        httponly=True,
        samesite="lax",
        secure=state(request).settings.cookie_secure,
        path="/",
    )


# --- sign in and out ----------------------------------------------------------------------


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _login_page(request: Request, next: str, *, status: int = 200, error: str = "") -> Response:
    """The sign-in form with a fresh stateless token (nothing is written to the store); the
    browser's nonce is kept, so two open sign-in tabs both work."""
    web = state(request)
    nonce = sessions.login_nonce(request.cookies.get(LOGIN_COOKIE))
    token = sessions.login_token(web.secret, nonce)
    response = render(
        request, None, "login.html", status=status, csrf=token, next=_safe_next(next), error=error
    )
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=web.settings.login_form_max_age_s,
        httponly=True,
        samesite="lax",
        secure=web.settings.cookie_secure,
        path="/login",
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, next)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    web = state(request)
    if not sessions.login_token_ok(
        csrf_token,
        request.cookies.get(LOGIN_COOKIE),
        web.secret,
        web.settings.login_form_max_age_s,
    ):
        return _login_page(
            request, next, status=403, error="页面已过期或缺少 CSRF 令牌，请重新登录"
        )
    client = client_address(request)
    if web.limiter.blocked(username, client):
        minutes = max(1, web.settings.login_window_s // 60)
        return _login_page(
            request, next, status=429, error=f"登录失败次数过多，请 {minutes} 分钟后再试"
        )
    actor = accounts.sign_in(web.ws, username, password, client)
    if actor is None:
        web.limiter.failed(username, client)
        return _login_page(request, next, status=401, error="用户名或密码错误，或账号已停用")
    web.limiter.succeeded(username, client)
    # a new id at sign-in: an id planted before (session fixation) is worthless
    web.sessions.drop(request.cookies.get(COOKIE))
    session = web.sessions.new(actor)
    response = RedirectResponse(_safe_next(next), status_code=303)
    _session_cookie(response, request, session.id)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, ctx: Page) -> Response:
    state(request).sessions.drop(ctx.session.id if ctx.session else None)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def set_lang(code: str, next: str = "/") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, code, samesite="lax", max_age=365 * 86400)
    return response


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/geo/{level}.json")
def geojson(request: Request, level: str) -> Response:
    if level not in ("city", "county"):
        raise NotFound(f"没有地图层级 '{level}'")
    body = geo.geojson(state(request).settings.node_modules, level)
    return Response(
        body, media_type="application/geo+json", headers={"cache-control": "public, max-age=86400"}
    )


# --- overview, map, targets, regions ---------------------------------------------------------


def _level(level: str) -> str:
    if level not in ("city", "county"):
        raise Invalid("层级应为 city 或 county")
    return level


@router.get("/")
def overview(
    request: Request,
    ctx: Page,
    period: str | None = None,
    region: str | None = None,
    screen: int = 0,
) -> Response:
    web, caller = ctx.state, ctx.caller
    period = monitoring.period_or_latest(caller.ws, period)
    m = caller.analysis(period)
    code = region or caller.home
    caller.require("progress.view", code)
    lang_ = ctx.lang

    def body() -> Markup:
        # The page body is the same for everyone who may see it: rendered once per data version.
        groups = monitoring.grouped_rows(m, code)
        all_rows = [r for _, rows in groups for r in rows]
        if code == regions.PROVINCE:  # the province's overdue progress reports come first
            warnings = (m.overdue_milestones() + m.warnings(level="city"))[:12]
        else:
            warnings = [r for r in all_rows if r.colour == "red"][:12]
        template = web.templates.get_template("_overview_body.html")
        return Markup(
            template.render(
                lang=lang_,
                period=period,
                periods=monitoring.months(period),
                label=m.period.label_zh,
                region=regions.region(code),
                groups=groups,
                counts=monitoring.counts(all_rows),
                warnings=warnings,
                # counts by county only: the same for everyone who may see the region
                case_warnings=monitoring.case_warnings(caller, period, code)["counties"][:8],
                screen=bool(screen),
                basis=m.analysis.basis_zh,
            )
        )

    html = web.monitor.view(m, "overview", body, code, lang_, bool(screen))  # in a pool thread
    return render(request, ctx, "overview.html", body=html, screen=bool(screen))


@router.get("/map")
def map_page(
    request: Request,
    ctx: Page,
    period: str | None = None,
    level: str = "city",
    target: str | None = None,
    by: str = "completion",
) -> Response:
    _level(level)
    if by not in ("completion", "status"):
        raise Invalid("着色方式应为 completion（完成率）或 status（进度状态）")
    caller = ctx.caller
    period = monitoring.period_or_latest(caller.ws, period)
    view = monitoring.map_view(caller, period, level, target or None)
    return render(
        request,
        ctx,
        "map.html",
        period=period,
        periods=monitoring.months(period),
        level=level,
        target=target or "",
        by=by if target else "completion",
        **view,
    )


@router.get("/targets/{target_id}")
def target_page(
    request: Request, ctx: Page, target_id: str, period: str | None = None, level: str = "county"
) -> Response:
    view = monitoring.target_view(ctx.caller, target_id, period, _level(level))
    return render(request, ctx, "target.html", level=level, **view)


@router.get("/targets/{target_id}/export.xlsx")
def target_export(
    ctx: Page, target_id: str, period: str | None = None, level: str = "county"
) -> Response:
    level = level if level in ("city", "county") else "county"
    period, rows = monitoring.target_export(ctx.caller, target_id, period, level)
    return _xlsx(rows, ROW_COLUMNS, f"{target_id}-{period}.xlsx", "月度监测")


@router.get("/regions/{code}")
def region_page(request: Request, ctx: Page, code: str, period: str | None = None) -> Response:
    return render(request, ctx, "region.html", **region_detail.detail(ctx.caller, code, period))


# --- enterprises ---------------------------------------------------------------------------


@router.get("/enterprises")
def enterprise_search(request: Request, ctx: Page, q: str = "") -> Response:
    found, _ = enterprises.search(ctx.caller, q, page_size=100)
    return render(request, ctx, "enterprises.html", q=q, found=found, region_name=regions.name)


@router.get("/enterprises/{uscc}")
def enterprise_page(request: Request, ctx: Page, uscc: str) -> Response:
    return render(request, ctx, "enterprise.html", **enterprises.profile(ctx.caller, uscc))


# --- lists ------------------------------------------------------------------------------------


@router.get("/lists/{kind}")
def list_page(
    request: Request,
    ctx: Page,
    kind: str,
    f: Annotated[lists.ListFilter, Depends()],
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    spec, rows, total, sub_kinds = lists.page(ctx.caller, kind, f, page, PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        ctx,
        "list.html",
        kind=kind,
        spec=spec,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        q=f.q,
        region=f.region,
        sub_kind=f.sub_kind,
        sort=f.sort,
        desc=f.desc,
        sub_kinds=sub_kinds,
        query=_query,
    )


def _query(**params: Any) -> str:
    """A query string of the given parameters that have a value (blank, None, 0 and False are
    left out)."""
    return "&".join(f"{k}={quote(str(v))}" for k, v in params.items() if v not in ("", None, 0))


@router.get("/lists/{kind}/export.xlsx")
def list_export(ctx: Page, kind: str, f: Annotated[lists.ListFilter, Depends()]) -> Response:
    spec, labelled, headers = lists.export(ctx.caller, kind, f)
    return _xlsx(labelled, headers, f"{kind}.xlsx", spec.title_zh[:31])


# --- major projects ---------------------------------------------------------------------------


@router.get("/major-projects")
def major_projects_page(
    request: Request,
    ctx: Page,
    f: Annotated[major_projects.MajorFilter, Depends()],
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    found = major_projects.page(ctx.caller, f, page, PAGE_SIZE)
    params = {k: v for k, v in vars(f).items() if k not in ("sort", "desc", "month")}
    return render(request, ctx, "major_projects.html", query=_query, params=params, **found)


@router.get("/major-projects/export.xlsx")
def major_projects_export(
    ctx: Page, f: Annotated[major_projects.MajorFilter, Depends()]
) -> Response:
    labelled, headers, month = major_projects.export(ctx.caller, f)
    return _xlsx(labelled, headers, f"major-projects-{month}.xlsx", major_projects.SPEC.title_zh)


@router.get("/major-projects/{code}")
def major_project_page(request: Request, ctx: Page, code: str, month: str = "") -> Response:
    found = major_projects.detail(ctx.caller, code, month)
    return render(request, ctx, "major_project.html", **found)


# --- data submission --------------------------------------------------------------------------


@router.get("/submissions")
def submissions_page(request: Request, ctx: Page, period: str | None = None) -> Response:
    return render(request, ctx, "submissions.html", **submissions.board(ctx.caller, period))


@router.get("/submissions/template")
def template_download(ctx: Page, region: str, period: str) -> Response:
    path, name = submissions.template(ctx.caller, region, period)
    return temporary_download(path, name)


@router.post("/submissions/upload")
async def upload(
    request: Request,
    ctx: Page,
    file: Annotated[UploadFile, File()],
    region: Annotated[str, Form()],
    period: Annotated[str, Form()],
    comment: Annotated[str, Form()] = "",
) -> Response:
    path = await read_upload(ctx, file)
    name = path.name
    problems: list[Any] = []
    result = None
    try:
        # the import reads and checks a whole workbook: in the thread pool, never on the loop
        result = await offload.imported(ctx.caller, path, region, period, comment, False)
    except InputRejected as exc:
        problems = exc.problems
    return render(
        request,
        ctx,
        "upload_result.html",
        file_name=name,
        result=result,
        problems=problems,
        region=region,
        period=period,
        needs_comment=any(p.level == "warning" for p in problems)
        and not any(p.level == "error" for p in problems),
    )


@router.get("/submissions/{region}/{period}")
def submission_page(request: Request, ctx: Page, region: str, period: str) -> Response:
    found = submissions.detail(ctx.caller, region, period)
    return render(request, ctx, "submission.html", steps=workflow.STEPS, **found)


@router.post("/submissions/{region}/{period}/{action}")
def submission_action(
    ctx: Page, region: str, period: str, action: str, reason: Annotated[str, Form()] = ""
) -> Response:
    submissions.act(ctx.caller, action, region, period, reason)
    return RedirectResponse(f"/submissions/{region}/{quote(period)}", status_code=303)


# --- rankings (regional assessment) ---------------------------------------------------------

Draws = Annotated[int, Query(ge=0, le=rankings.MAX_DRAWS, description="蒙特卡洛次数")]
Draft = Annotated[bool, Query(description="按草案方案（status: draft）试算")]


@router.get("/rankings")
def rankings_page(
    request: Request,
    ctx: Page,
    period: str | None = None,
    level: str = "city",
    draws: Draws = rankings.DEFAULT_DRAWS,
    draft: Draft = False,
) -> Response:
    periods = [(p, parse_period(p).label_zh) for p in rankings.periods(ctx.caller.ws)]
    try:
        ranking = rankings.ranking(ctx.caller, period, level, draws, draft)
    except rankings.DraftScheme as exc:
        # not an error page: the period exists, its scheme awaits approval; offer the trial run
        return render(
            request,
            ctx,
            "rankings.html",
            refused=exc,
            period=rankings.resolved_period(ctx.caller, period),
            level=level,
            periods=periods,
            levels=rankings.LEVELS,
            draws=draws,
        )
    rows = rankings.visible_rows(ranking, ctx.caller)
    return render(
        request,
        ctx,
        "rankings.html",
        ranking=ranking,
        result=ranking.result,
        period=ranking.result.period,
        level=ranking.result.level,
        rows=rankings.table(ranking, rows),
        periods=periods,
        levels=rankings.LEVELS,
        normalisation_zh=rankings.NORMALISATION_ZH,
        draws=draws,
        draft=draft,
    )


@router.get("/rankings/contributions")
def ranking_contributions(
    request: Request,
    ctx: Page,
    region: str,
    period: str | None = None,
    level: str = "city",
    draws: Draws = rankings.DEFAULT_DRAWS,
    draft: Draft = False,
) -> Response:
    """One region's indicator contributions (the HTMX drill-down of a ranking row)."""
    ranking = rankings.ranking(ctx.caller, period, level, draws, draft)
    row = rankings.visible_row(ranking, ctx.caller, region)
    return render(
        request,
        ctx,
        "_ranking_contrib.html",
        ranking=ranking,
        row=row,
        items=rankings.contributions(ranking, row),
    )


# --- reports ----------------------------------------------------------------------------------


def _reports_page(request: Request, ctx: Ctx, status: int = 200, **outcome: Any) -> Response:
    caller = ctx.caller
    return render(
        request,
        ctx,
        "reports.html",
        status=status,
        groups=reports.grouped(reports.visible(caller)),
        regions=reports.regions_for(caller),  # empty: the user generates no report (no form)
        kinds=reports.kinds_for(caller),
        formats=reports.FORMATS,
        url_of=download_url,
        written=outcome.get("written", []),
        error=outcome.get("error", ""),
        form=outcome.get("form", {}),
    )


@router.get("/reports")
def reports_list(request: Request, ctx: Page) -> Response:
    return _reports_page(request, ctx)


@router.post("/reports")
def reports_generate(
    request: Request,
    ctx: Page,
    kind: Annotated[str, Form()],
    period: Annotated[str, Form()],
    region: Annotated[str, Form()] = "",
    formats: Annotated[list[str] | None, Form()] = None,
    draft: Annotated[bool, Form()] = False,
) -> Response:
    """Generate a report for a user in scope. Synchronous (a PDF takes a few seconds; the form
    shows an HTMX indicator meanwhile); errors are shown on the form with their status."""
    form = {
        "kind": kind,
        "period": period,
        "region": region,
        "formats": formats or [],
        "draft": draft,
    }
    written: list[Any] = []
    error, status = "", 200
    try:
        written = reports.generate(ctx.caller, kind, period, region, formats or [], draft=draft)
    except ZhuanshengError as exc:
        error, status = str(exc), exc.status
    if request.headers.get("hx-request"):
        return render(
            request,
            ctx,
            "_report_result.html",
            status=status,
            written=written,
            error=error,
            url_of=download_url,
        )
    return _reports_page(request, ctx, status, written=written, error=error, form=form)


@router.get("/reports/files/{name}")
def report_download(ctx: Page, name: str) -> Response:
    return report_file(ctx, name)


# --- administration ---------------------------------------------------------------------------


@router.get("/admin/audit")
def audit_page(
    request: Request, ctx: Page, action: str = "", page: Annotated[int, Query(ge=1, le=100000)] = 1
) -> Response:
    rows, total = audit.entries(ctx.caller, action, page, PAGE_SIZE)
    return render(
        request,
        ctx,
        "audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        action=action,
    )
