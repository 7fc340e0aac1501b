"""Files through the web faces: uploads saved for the import, report downloads, and the media
types of what is served."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from zhuansheng.services import reports, submissions

from .deps import Ctx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": XLSX,
}


def download_url(f: reports.ReportFile) -> str:
    return f"/reports/files/{quote(f.path.name)}"


async def read_upload(ctx: Ctx, file: UploadFile) -> Path:
    """The upload saved to a private folder (read at most one byte past the limit)."""
    limit = ctx.state.settings.max_upload_bytes
    data = await file.read(limit + 1)
    return await run_in_threadpool(submissions.save_upload, data, file.filename, limit)


@contextlib.asynccontextmanager
async def saved(ctx: Ctx, files: list[StarletteUpload]) -> AsyncIterator[list[tuple[Path, str]]]:
    """Evidence uploads on their way to a service: each non-empty one as (path, file name) in a
    private folder (read at most one byte past the limit), removed whatever the service said."""
    limit = ctx.state.settings.max_upload_bytes
    out: list[tuple[Path, str]] = []
    try:
        for f in files:
            data = await f.read(limit + 1)
            if not data and not f.filename:
                continue
            path = await run_in_threadpool(submissions.save_upload, data, f.filename, limit)
            out.append((path, f.filename or path.name))
        yield out
    finally:
        for path, _ in out:
            shutil.rmtree(path.parent, ignore_errors=True)


def temporary_download(path: Path, name: str) -> FileResponse:
    """A file written to a private temporary folder, offered as ``name``; the folder goes once
    the response is sent."""
    return FileResponse(
        path,
        filename=name,
        media_type=XLSX,
        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True),
    )


def report_file(ctx: Ctx, name: str) -> FileResponse:
    """A report download, scoped and audited."""
    f = reports.find(ctx.caller, name)
    return FileResponse(f.path, filename=f.path.name, media_type=MEDIA[f.format])
