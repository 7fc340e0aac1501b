"""Files through the web faces: uploads saved for the import, report downloads, and the media
types of what is served."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
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


@asynccontextmanager
async def saved_uploads(
    ctx: Ctx, files: Sequence[StarletteUpload]
) -> AsyncIterator[list[tuple[Path, str]]]:
    """Each non-empty upload (evidence files) saved to a private folder as (path, file name),
    read at most one byte past the size limit; the folders go when the block ends."""
    limit = ctx.state.settings.max_upload_bytes
    saved: list[tuple[Path, str]] = []
    try:
        for f in files:
            data = await f.read(limit + 1)
            if not data and not f.filename:
                continue  # a file field left empty
            path = await run_in_threadpool(submissions.save_upload, data, f.filename, limit)
            saved.append((path, f.filename or path.name))
        yield saved
    finally:
        for path, _ in saved:
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
