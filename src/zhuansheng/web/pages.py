"""The server-rendered pages (Chinese first). Handlers stay thin: read through ``services``,
check through ``access``, render a template."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import func, or_, select
from starlette.background import BackgroundTask

from zhuansheng import collect, store, tabular
from zhuansheng.cli.monitor import ROW_COLUMNS
from zhuansheng.collect import workflow
from zhuansheng.collect.observations import imported_files
from zhuansheng.errors import InputRejected, ZhuanshengError
from zhuansheng.periods import parse_period
from zhuansheng.report import FORMATS, KINDS
from zhuansheng.store import tables as t
from zhuansheng.users import check_password

from . import access, geo, i18n, offload, rankings, reports, services
from .deps import CSRF_FIELD, Ctx, browser_session, lang, page_ctx, state
from .sessions import COOKIE

router = APIRouter(include_in_schema=False)
Page = Annotated[Ctx, Depends(page_ctx)]
PAGE_SIZE = 50


# --- template helpers ----------------------------------------------------------------------


def _num(x: Any, digits: int = 2) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:,.0f}" if x.is_integer() else f"{x:,.{digits}f}"
    return str(x)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _json_script(value: Any) -> Markup:
    # Data for the page's script, safe inside <script type="application/json">.
    text = json.dumps(value, ensure_ascii=False, default=str)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def setup_templates(templates: Jinja2Templates) -> None:
    env = templates.env
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["json_script"] = _json_script
    env.globals["t"] = i18n.translate
    env.globals["status_zh"] = workflow.STATUS_ZH
    env.globals["csrf_field"] = CSRF_FIELD


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


def _period(s: Any, period: str | None) -> str:
    return parse_period(period).code if period else services.latest_month(s)


def audit(ctx: Ctx, action: str, entity: str, entity_id: str = "", **detail: Any) -> None:
    with store.session(ctx.state.settings.database_url) as s:
        s.add(
            t.AuditLog(
                actor=ctx.actor.username,
                action=action,
                entity=entity,
                entity_id=entity_id,
                detail=detail,
            )
        )


def _xlsx(rows: list[dict[str, Any]], columns: list[str], name: str, sheet: str) -> FileResponse:
    fd, name_ = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    tmp = Path(name_)
    tabular.write_xlsx(rows, tmp, columns, sheet=sheet, colour_column="colour")
    return FileResponse(
        tmp,
        filename=name,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    web = state(request)
    session = browser_session(request)
    if session is None:
        session = web.sessions.new()
    response = render(
        request, None, "login.html", csrf=session.csrf, next=_safe_next(next), error=""
    )
    _session_cookie(response, request, session.id)
    return response


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    web = state(request)
    old = browser_session(request)
    if old is None or not csrf_token or csrf_token != old.csrf:
        fresh = web.sessions.new()
        response = render(
            request,
            None,
            "login.html",
            status=403,
            csrf=fresh.csrf,
            next=_safe_next(next),
            error="页面已过期或缺少 CSRF 令牌，请重新登录",
        )
        _session_cookie(response, request, fresh.id)
        return response
    client = request.client.host if request.client else "?"
    keys = (f"user:{username}", f"ip:{client}")
    if web.limiter.blocked(*keys):
        return render(
            request,
            None,
            "login.html",
            status=429,
            csrf=old.csrf,
            next=_safe_next(next),
            error="登录失败次数过多，请 15 分钟后再试",
        )
    with store.session(web.settings.database_url) as s:
        actor = check_password(s, username, password)
        if actor is not None:
            s.add(
                t.AuditLog(
                    actor=actor.username,
                    action="login",
                    entity="user",
                    entity_id=actor.username,
                    detail={"ip": client},
                )
            )
    if actor is None:
        web.limiter.failed(*keys)
        return render(
            request,
            None,
            "login.html",
            status=401,
            csrf=old.csrf,
            next=_safe_next(next),
            error="用户名或密码错误，或账号已停用",
        )
    web.limiter.succeeded(keys[0])
    web.sessions.drop(old.id)  # a new id at sign-in: an id planted before login is worthless
    session = web.sessions.new(actor)
    response = RedirectResponse(_safe_next(next), status_code=303)
    _session_cookie(response, request, session.id)
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
        raise services.NotFound(f"没有地图层级 '{level}'")
    body = geo.geojson(state(request).settings.node_modules, level)
    return Response(
        body, media_type="application/geo+json", headers={"cache-control": "public, max-age=86400"}
    )


# --- overview, map, targets, regions ---------------------------------------------------------


@router.get("/")
async def overview(
    request: Request,
    ctx: Page,
    period: str | None = None,
    region: str | None = None,
    screen: int = 0,
) -> Response:
    web = ctx.state
    period, m = await offload.monitor(web, period)
    code = region or access.home_region(ctx.actor)
    access.require(access.can_see_region(ctx.actor, code, web.settings))
    lang_ = ctx.lang

    def body() -> Markup:
        # The page body is the same for everyone who may see it: rendered once per data version.
        groups = services.grouped_rows(m, code)
        all_rows = [r for _, rows in groups for r in rows]
        if code == access.PROVINCE:
            warnings = m.warnings(level="city")[:12]
        else:
            warnings = [r for r in all_rows if r.colour == "red"][:12]
        template = web.templates.get_template("_overview_body.html")
        return Markup(
            template.render(
                lang=lang_,
                period=period,
                periods=services.months(period),
                label=m.period.label_zh,
                region=services.region(code),
                groups=groups,
                counts=services.counts(all_rows),
                warnings=warnings,
                screen=bool(screen),
            )
        )

    html = await offload.view(web.monitor, m, "overview", body, code, lang_, bool(screen))
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
    web = ctx.state
    if level not in ("city", "county"):
        raise ZhuanshengError("层级应为 city 或 county")
    if by not in ("completion", "status"):
        raise ZhuanshengError("着色方式应为 completion（完成率）或 status（进度状态）")
    with store.session(web.settings.database_url) as s:
        period = _period(s, period)
        m = web.monitor.get(s, period)
    values = [
        v
        for v in services.map_values(m, level, target or None)
        if access.can_see_region(ctx.actor, v["code"], web.settings)
    ]
    targets = [(r.target.id, r.target.name_zh) for r in m.analysis.results if r.target.quantitative]
    return render(
        request,
        ctx,
        "map.html",
        period=period,
        periods=services.months(period),
        level=level,
        target=target or "",
        targets=targets,
        values=values,
        by=by if target else "completion",
        label=m.period.label_zh,
    )


def _target_rows(ctx: Ctx, target_id: str, period: str, level: str) -> tuple[Any, list[Any]]:
    with store.session(ctx.state.settings.database_url) as s:
        m = ctx.state.monitor.get(s, period)
    rows = m.by_target(target_id, level=level)
    rows = [r for r in rows if access.can_see_region(ctx.actor, r.region, ctx.state.settings)]
    return m, rows


@router.get("/targets/{target_id}")
def target_page(
    request: Request, ctx: Page, target_id: str, period: str | None = None, level: str = "county"
) -> Response:
    if level not in ("city", "county"):
        raise ZhuanshengError("层级应为 city 或 county")
    with store.session(ctx.state.settings.database_url) as s:
        period = _period(s, period)
    year = parse_period(period).year
    row = services.target_row(year, target_id)
    m, rows = _target_rows(ctx, target_id, period, level)
    home = access.home_region(ctx.actor)
    return render(
        request,
        ctx,
        "target.html",
        period=period,
        periods=services.months(period),
        level=level,
        target=row,
        clause_text=services.item_text(year, row.item_clause),
        rows=rows,
        province=next((r for r in rows if r.level == "province"), None),
        trend=services.trend(m, target_id, access.PROVINCE if row.quantitative else home),
        label=m.period.label_zh,
    )


@router.get("/targets/{target_id}/export.xlsx")
def target_export(
    ctx: Page, target_id: str, period: str | None = None, level: str = "county"
) -> Response:
    with store.session(ctx.state.settings.database_url) as s:
        period = _period(s, period)
    services.target_row(parse_period(period).year, target_id)
    _, rows = _target_rows(
        ctx, target_id, period, level if level in ("city", "county") else "county"
    )
    audit(ctx, "export.target", "target", target_id, period=period, rows=len(rows))
    return _xlsx([r.as_dict() for r in rows], ROW_COLUMNS, f"{target_id}-{period}.xlsx", "月度监测")


@router.get("/regions/{code}")
def region_page(request: Request, ctx: Page, code: str, period: str | None = None) -> Response:
    web = ctx.state
    reg = services.region(code)
    access.require(access.can_see_region(ctx.actor, code, web.settings))
    own = access.in_scope(ctx.actor, code)
    with store.session(web.settings.database_url) as s:
        period = _period(s, period)
        m = web.monitor.get(s, period)
        year = m.analysis.year
        allocations = s.execute(
            select(
                t.Target.target_id,
                t.Target.name_zh,
                t.Allocation.value,
                t.Target.unit,
                t.Allocation.synthetic,
            )
            .join(t.Target, t.Target.id == t.Allocation.target_pk)
            .where(t.Allocation.region_code == code, t.Target.year == year)
            .order_by(t.Target.id)
        ).all()
        subs = []
        if access.can_see_data(ctx.actor, code):
            q = select(t.Submission).where(t.Submission.period.like(f"{year}-%"))
            if reg.level == "county":
                q = q.where(t.Submission.region_code == code)
            else:
                q = q.where(
                    t.Submission.region_code.in_(
                        [r.code for r in services.children(code)] if reg.level == "city" else []
                    )
                )
            subs = list(s.scalars(q.order_by(t.Submission.period.desc(), t.Submission.region_code)))
        mujun = services.class_distribution(s, code, "mujun", "mujun_class")
        carbon = services.class_distribution(s, code, "carbon", "carbon_grade")
        county_codes = [
            r.code
            for r in services.regions_by_code().values()
            if access.region_in(r.code, None if code == access.PROVINCE else code)
        ]
        case_counts = dict(
            s.execute(
                select(t.Case.status, func.count())
                .where(t.Case.county_code.in_(county_codes))
                .group_by(t.Case.status)
            ).all()
        )
        cases = []
        if own and access.can_see_enterprises(ctx.actor):
            cases = s.execute(
                select(t.Case, t.Enterprise.name)
                .join(t.Enterprise, t.Enterprise.uscc == t.Case.uscc)
                .where(t.Case.county_code.in_(county_codes))
                .order_by(t.Case.opened_on.desc())
                .limit(30)
            ).all()
    return render(
        request,
        ctx,
        "region.html",
        period=period,
        periods=services.months(period),
        region=reg,
        groups=services.grouped_rows(m, code),
        allocations=allocations,
        subs=subs,
        mujun=mujun,
        carbon=carbon,
        case_counts=case_counts,
        cases=cases,
        children=services.children(code),
        label=m.period.label_zh,
    )


# --- enterprises ---------------------------------------------------------------------------


@router.get("/enterprises")
def enterprise_search(request: Request, ctx: Page, q: str = "") -> Response:
    access.require(access.can_see_enterprises(ctx.actor))
    found: list[Any] = []
    if q.strip():
        scope = access.scope_filter(ctx.actor)
        with store.session(ctx.state.settings.database_url) as s:
            query = select(t.Enterprise).where(
                or_(
                    t.Enterprise.uscc.contains(q.strip(), autoescape=True),
                    t.Enterprise.name.contains(q.strip(), autoescape=True),
                )
            )
            if scope:
                query = query.where(t.Enterprise.county_code.in_(services._subtree(scope)))
            found = list(s.scalars(query.order_by(t.Enterprise.uscc).limit(100)))
    return render(
        request, ctx, "enterprises.html", q=q, found=found, region_name=services.region_name
    )


def enterprise_profile(ctx: Ctx, uscc: str) -> dict[str, Any]:
    """Everything shown about one enterprise; 404 when unknown, 403 outside the scope."""
    access.require(access.can_see_enterprises(ctx.actor))
    with store.session(ctx.state.settings.database_url) as s:
        ent = s.get(t.Enterprise, uscc)
        if ent is None:
            raise services.NotFound(f"没有统一社会信用代码为 '{uscc}' 的企业")
        access.require(
            access.in_scope(ctx.actor, ent.county_code), "无权查看该企业：不在您的管辖范围内"
        )
        candidates = list(
            s.scalars(select(t.ScreeningCandidate).where(t.ScreeningCandidate.uscc == uscc))
        )
        cases = list(s.scalars(select(t.Case).where(t.Case.uscc == uscc).order_by(t.Case.year)))
        mujun = services.enterprise_result(s, "mujun", uscc)
        carbon = services.enterprise_result(s, "carbon", uscc)
        return {
            "enterprise": {
                "uscc": ent.uscc,
                "name": ent.name,
                "county_code": ent.county_code,
                "county_name": services.region_name(ent.county_code),
                "industry_code": ent.industry_code,
                "scale": ent.scale,
                "synthetic": ent.synthetic,
            },
            "facts": services.enterprise_facts(uscc),
            "mujun": mujun,
            "carbon": carbon,
            "screening": [
                {
                    "run_id": c.run_id,
                    "year": c.year,
                    "rules": c.rules,
                    "status": c.status,
                    "freed_land_mu": c.freed_land_mu,
                    "freed_energy_tce": c.freed_energy_tce,
                }
                for c in candidates
            ],
            "cases": [
                {
                    "year": c.year,
                    "status": c.status,
                    "outcome": c.outcome,
                    "reason": c.reason,
                    "plan": c.plan,
                    "opened_on": c.opened_on,
                    "closed_on": c.closed_on,
                    "events": [
                        {"at": e.at, "from": e.from_status, "to": e.to_status, "note": e.note}
                        for e in c.events
                    ],
                }
                for c in cases
            ],
        }


@router.get("/enterprises/{uscc}")
def enterprise_page(request: Request, ctx: Page, uscc: str) -> Response:
    profile = enterprise_profile(ctx, uscc)
    return render(request, ctx, "enterprise.html", **profile)


# --- lists ------------------------------------------------------------------------------------


def _list_access(ctx: Ctx, kind: str) -> None:
    if kind == "screening":
        access.require(access.can_see_enterprises(ctx.actor))


@dataclass
class ListFilter:
    """The filter and order of a list page (query parameters), shared with its export."""

    q: str = ""
    region: str = ""
    sub_kind: str = ""
    sort: str = ""
    desc: int = 0


def _list_rows(
    ctx: Ctx, kind: str, f: ListFilter, page: int, page_size: int
) -> tuple[Any, list[Any], int, list[Any]]:
    """The list's spec, one page of rows, the total and the sub-kinds, within the user's scope."""
    spec = services.LISTS.get(kind)
    if spec is None:
        raise services.NotFound(f"没有名单 '{kind}'")
    _list_access(ctx, kind)
    with store.session(ctx.state.settings.database_url) as s:
        rows, total = services.list_rows(
            s,
            kind,
            scope=access.scope_filter(ctx.actor),
            q=f.q,
            region=f.region,
            sub_kind=f.sub_kind,
            sort=f.sort,
            desc=bool(f.desc),
            page=page,
            page_size=page_size,
        )
        sub_kinds = services.kinds(s, kind)
    return spec, rows, total, sub_kinds


@router.get("/lists/{kind}")
def list_page(
    request: Request,
    ctx: Page,
    kind: str,
    f: Annotated[ListFilter, Depends()],
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    spec, rows, total, sub_kinds = _list_rows(ctx, kind, f, page, PAGE_SIZE)
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
    return "&".join(f"{k}={quote(str(v))}" for k, v in params.items() if v not in ("", None, 0))


@router.get("/lists/{kind}/export.xlsx")
def list_export(ctx: Page, kind: str, f: Annotated[ListFilter, Depends()]) -> Response:
    spec, rows, total, _ = _list_rows(ctx, kind, f, 1, 200_000)
    audit(ctx, "export.list", "list", kind, q=f.q, region=f.region, sub_kind=f.sub_kind, rows=total)
    labelled, headers = spec.export(rows)  # Chinese headers and labels, as on the page
    return _xlsx(labelled, headers, f"{kind}.xlsx", spec.title_zh[:31])


# --- data submission --------------------------------------------------------------------------


def _reporting(s: Any, period: str) -> list[dict[str, Any]]:
    return workflow.reporting(s, period, collect.default_rules().due_day)


@router.get("/submissions")
def submissions_page(request: Request, ctx: Page, period: str | None = None) -> Response:
    access.require(access.can_submit(ctx.actor) or ctx.actor.role in ("department", "viewer"))
    web = ctx.state
    home = access.home_region(ctx.actor)
    with store.session(web.settings.database_url) as s:
        period = _period(s, period)
        board = _reporting(s, period) if ctx.actor.role != "county" else []
        if ctx.actor.role == "city":
            board = [r for r in board if r["region"] == home]
        if ctx.actor.role == "county":
            codes = [home]
        elif ctx.actor.role == "city":
            codes = [r.code for r in services.children(home)]
        elif ctx.actor.is_province:
            codes = [r.code for r in services.regions_by_code().values() if r.level == "county"]
        else:
            codes = []
        subs = {
            x.region_code: x
            for x in s.scalars(
                select(t.Submission).where(
                    t.Submission.period == period, t.Submission.region_code.in_(codes)
                )
            )
        }
    rows = [(c, services.region_name(c), subs.get(c)) for c in codes]
    return render(
        request,
        ctx,
        "submissions.html",
        period=period,
        periods=services.months(period),
        board=board,
        rows=rows,
        home=home,
        can_upload=access.can_submit(ctx.actor),
    )


@router.get("/submissions/template")
def template_download(ctx: Page, region: str, period: str) -> Response:
    services.region(region)
    access.require(access.in_scope(ctx.actor, region) and access.can_submit(ctx.actor))
    p = parse_period(period)
    tmp = Path(tempfile.mkdtemp(prefix="zs-template-")) / f"{region}-{p.code}.xlsx"
    collect.templates.write_template(region, p.code, tmp, url=ctx.state.settings.database_url)
    audit(ctx, "export.template", "submission", f"{region}/{p.code}")
    return FileResponse(
        tmp,
        filename=f"{region}-{services.region_name(region)}-{p.code}.xlsx",
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        background=BackgroundTask(Path(tmp).unlink, missing_ok=True),
    )


def save_upload(ctx: Ctx, file: UploadFile) -> Path:
    """The upload in a private temporary folder under its own (base) name, size-checked."""
    limit = ctx.state.settings.max_upload_bytes
    data = file.file.read(limit + 1)  # called from a thread of the pool, not the event loop
    if len(data) > limit:
        raise ZhuanshengError(f"上传文件过大：不能超过 {limit // (1024 * 1024)} MB")
    name = Path((file.filename or "upload.xlsx").replace("\\", "/")).name or "upload.xlsx"
    folder = Path(tempfile.mkdtemp(prefix="zs-upload-"))
    path = folder / name[-120:]
    path.write_bytes(data)
    return path


def run_import(ctx: Ctx, path: Path, region: str, period: str, comment: str, dry_run: bool) -> Any:
    """Import the saved upload; the file and its folder are removed whatever happens, a refusal
    (unknown region, out of scope) included."""
    try:
        services.region(region)
        access.require(
            access.in_scope(ctx.actor, region) and access.can_submit(ctx.actor),
            "无权填报该地区的数据",
        )
        return collect.import_observations(
            path,
            user=ctx.actor.username,
            comment=comment,
            dry_run=dry_run,
            region=region,
            period=period,
            url=ctx.state.settings.database_url,
        )
    finally:
        path.unlink(missing_ok=True)
        path.parent.rmdir()


@router.post("/submissions/upload")
def upload(
    request: Request,
    ctx: Page,
    file: Annotated[UploadFile, File()],
    region: Annotated[str, Form()],
    period: Annotated[str, Form()],
    comment: Annotated[str, Form()] = "",
) -> Response:
    path = save_upload(ctx, file)
    name = path.name
    try:
        result = offload.without_collector(run_import, ctx, path, region, period, comment, False)
    except InputRejected as exc:
        return render(
            request,
            ctx,
            "upload_result.html",
            file_name=name,
            result=None,
            problems=exc.problems,
            region=region,
            period=period,
            needs_comment=any(p.level == "warning" for p in exc.problems)
            and not any(p.level == "error" for p in exc.problems),
        )
    return render(
        request,
        ctx,
        "upload_result.html",
        file_name=name,
        result=result,
        problems=[],
        region=region,
        period=period,
        needs_comment=False,
    )


@router.get("/submissions/{region}/{period}")
def submission_page(request: Request, ctx: Page, region: str, period: str) -> Response:
    reg = services.region(region)
    access.require(access.can_see_data(ctx.actor, region), "无权查看该地区的填报数据")
    p = parse_period(period)
    with store.session(ctx.state.settings.database_url) as s:
        sub = workflow.get(s, region, p.code)
        events = list(sub.events) if sub else []
        files = imported_files(s, region, p.code)
    return render(
        request,
        ctx,
        "submission.html",
        region=reg,
        period=p.code,
        sub=sub,
        events=events,
        files=files,
        steps=workflow.STEPS,
    )


@router.post("/submissions/{region}/{period}/{action}")
def submission_action(
    ctx: Page, region: str, period: str, action: str, reason: Annotated[str, Form()] = ""
) -> Response:
    services.region(region)
    access.require(access.can_submit(ctx.actor) and access.in_scope(ctx.actor, region))
    with store.session(ctx.state.settings.database_url) as s:
        try:
            workflow.act(s, action, region, period, ctx.actor, reason)
        except ZhuanshengError as exc:
            if "无权" in str(exc):
                raise access.Forbidden(str(exc)) from exc
            raise
    return RedirectResponse(f"/submissions/{region}/{quote(period)}", status_code=303)


# --- rankings (regional assessment) ---------------------------------------------------------

Draws = Annotated[int, Query(ge=0, le=rankings.MAX_DRAWS, description="蒙特卡洛次数")]


def ranking_for(ctx: Ctx, period: str | None, level: str, draws: int) -> rankings.Ranking:
    """The (cached) assessment; without a period, the last quarter completed by the data."""
    with store.session(ctx.state.settings.database_url) as s:
        period = period or rankings.default_period(services.latest_month(s))
        return ctx.state.rankings.get(s, period, level, draws)


@router.get("/rankings")
def rankings_page(
    request: Request,
    ctx: Page,
    period: str | None = None,
    level: str = "city",
    draws: Draws = rankings.DEFAULT_DRAWS,
) -> Response:
    ranking = ranking_for(ctx, period, level, draws)
    rows = rankings.visible_rows(ranking, ctx.actor, ctx.state.settings)
    return render(
        request,
        ctx,
        "rankings.html",
        ranking=ranking,
        result=ranking.result,
        rows=rankings.table(ranking, rows),
        periods=[(p, parse_period(p).label_zh) for p in rankings.periods()],
        levels=rankings.LEVELS,
        normalisation_zh=rankings.NORMALISATION_ZH,
        draws=draws,
    )


@router.get("/rankings/contributions")
def ranking_contributions(
    request: Request,
    ctx: Page,
    region: str,
    period: str | None = None,
    level: str = "city",
    draws: Draws = rankings.DEFAULT_DRAWS,
) -> Response:
    """One region's indicator contributions (the HTMX drill-down of a ranking row)."""
    ranking = ranking_for(ctx, period, level, draws)
    row = next(
        (
            r
            for r in rankings.visible_rows(ranking, ctx.actor, ctx.state.settings)
            if r.region == region
        ),
        None,
    )
    if row is None:
        raise services.NotFound(f"{ranking.result.title_zh}中没有您可查看的 '{region}'")
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
    settings = ctx.state.settings
    regions = reports.regions_for(ctx.actor)  # empty: the user generates no report (no form)
    kinds = [k for k in KINDS if ctx.actor.is_province or k == "quarterly"]
    return render(
        request,
        ctx,
        "reports.html",
        status=status,
        groups=reports.grouped(reports.visible(ctx.actor, settings)),
        regions=regions,
        kinds=kinds if regions else [],
        formats=FORMATS,
        url_of=reports.download_url,
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
) -> Response:
    """Generate a report for a user in scope. Synchronous (a PDF takes a few seconds; the form
    shows an HTMX indicator meanwhile); errors are shown on the form with their status."""
    form = {"kind": kind, "period": period, "region": region, "formats": formats or []}
    written: list[Any] = []
    error, status = "", 200
    try:
        written = reports.generate(
            ctx.actor, ctx.state.settings, kind, period, region, formats or []
        )
    except access.Forbidden as exc:
        error, status = exc.message, 403
    except ZhuanshengError as exc:
        error, status = str(exc), 400
    else:
        audit_generated(ctx, kind, period, region, written)
    if request.headers.get("hx-request"):
        return render(
            request,
            ctx,
            "_report_result.html",
            status=status,
            written=written,
            error=error,
            url_of=reports.download_url,
        )
    return _reports_page(request, ctx, status, written=written, error=error, form=form)


def audit_generated(ctx: Ctx, kind: str, period: str, region: str, written: list[Any]) -> None:
    audit(
        ctx,
        "report.generate",
        "report",
        f"{kind}/{period}/{region or access.PROVINCE}",
        files=[f.path.name for f in written],
    )


def report_file(ctx: Ctx, name: str) -> FileResponse:
    """A report download, scoped and audited (the page and the API serve the same way)."""
    f = reports.find(ctx.actor, ctx.state.settings, name)
    audit(ctx, "export.report", "report", name[:80], kind=f.kind, period=f.period, region=f.region)
    return FileResponse(f.path, filename=f.path.name, media_type=reports.MEDIA[f.format])


@router.get("/reports/files/{name}")
def report_download(ctx: Page, name: str) -> Response:
    return report_file(ctx, name)


# --- administration ---------------------------------------------------------------------------


@router.get("/admin/audit")
def audit_page(
    request: Request, ctx: Page, action: str = "", page: Annotated[int, Query(ge=1, le=100000)] = 1
) -> Response:
    access.require(access.is_admin(ctx.actor), "只有省级管理员可以查看操作日志")
    rows, total = services.audit_entries(ctx.state.settings.database_url, action, page, PAGE_SIZE)
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
