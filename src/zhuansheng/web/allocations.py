"""Allocations (分解下达) in the web: the page (by target, by region, upload, template, history)
and the REST API ``/api/v1/allocations``. Handlers stay thin over
``zhuansheng.services.allocations``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from zhuansheng.errors import InputRejected
from zhuansheng.services import allocations, regions

from . import offload, schemas
from .deps import Ctx, api_ctx, page_ctx
from .files import read_upload, temporary_download
from .pages import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["v1"], responses=schemas.errors(400, 401, 403, 404, 422))
Page = Annotated[Ctx, Depends(page_ctx)]
Api = Annotated[Ctx, Depends(api_ctx)]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="年度（默认最新载入的年度）")]


async def _imported(ctx: Ctx, path: Path, dry_run: bool) -> allocations.AllocationResult:
    # the import reads and checks a whole workbook: in the thread pool, never on the loop
    return await run_in_threadpool(
        offload.without_collector, allocations.import_upload, ctx.caller, path, dry_run=dry_run
    )


# --- pages -----------------------------------------------------------------------------------


@router.get("/allocations")
def allocations_page(
    request: Request,
    ctx: Page,
    year: Year = None,
    target: str | None = None,
    region: str | None = None,
) -> Response:
    data = allocations.page(ctx.caller, year, target or None, region or None)
    return render(request, ctx, "allocations.html", **data)


@router.get("/allocations/template")
def allocation_template(
    ctx: Page, year: int, level: str = "city", target: str | None = None
) -> Response:
    path, name = allocations.template(ctx.caller, year, target=target or None, level=level)
    return temporary_download(path, name)


@router.post("/allocations/upload")
async def allocation_upload(
    request: Request,
    ctx: Page,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Form()] = False,
) -> Response:
    ctx.caller.require("allocations.import", message="无权分解下达目标")
    path = await read_upload(ctx, file)
    name = path.name
    result, problems = None, []
    try:
        result = await _imported(ctx, path, dry_run)
    except InputRejected as exc:
        problems = exc.problems
    return render(
        request,
        ctx,
        "_allocation_result.html",
        file_name=name,
        result=result,
        problems=problems,
    )


@router.get("/allocations/history")
def allocation_history(
    request: Request, ctx: Page, year: int, target: str, region: str
) -> Response:
    rows = allocations.history(ctx.caller, year, target, region)
    return render(
        request,
        ctx,
        "allocation_history.html",
        year=year,
        target=target,
        region=region,
        region_name=regions.name(region),
        rows=rows,
    )


# --- REST API --------------------------------------------------------------------------------


@api.get(
    "/allocations",
    summary="目标分解下达：各地区的当前分解值（在数据范围内）",
    response_model=schemas.AllocationList,
)
def get_allocations(ctx: Api, year: Year = None, target: str | None = None) -> dict[str, Any]:
    year = allocations.year_or_latest(ctx.caller, year)
    items = allocations.listing(ctx.caller, year, target)
    return {"year": year, "items": items, "total": len(items)}


@api.get(
    "/allocations/history",
    summary="一个分解值的全部修订（修订人、时间、来源文件及其 sha256、单元格、说明），新的在前",
    response_model=schemas.AllocationHistory,
)
def get_allocation_history(
    ctx: Api,
    target: Annotated[str, Query(max_length=60, description="目标代码")],
    region: Annotated[str, Query(pattern=r"^\d{6}$", description="地区代码")],
    year: Year = None,
) -> dict[str, Any]:
    year = allocations.year_or_latest(ctx.caller, year)
    items = allocations.history(ctx.caller, year, target, region)
    return {"year": year, "target": target, "region": region, "items": items}


@api.post(
    "/allocations",
    summary="上传分解下达表或 CSV（整份校验，整份写入或整份拒收）",
    response_model=schemas.AllocationImportOut,
)
async def post_allocations(
    ctx: Api,
    file: Annotated[
        UploadFile, File(description="分解下达表 xlsx，或 year,target,region,value 的 csv")
    ],
    dry_run: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    ctx.caller.require("allocations.import", message="无权分解下达目标")
    path = await read_upload(ctx, file)
    return (await _imported(ctx, path, dry_run)).summary()
