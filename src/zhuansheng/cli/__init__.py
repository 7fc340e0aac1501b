"""The ``zhuansheng`` command: thin Typer commands over the service modules.

Each area registers its own command group from a module of this package, so areas stay
independent and every command stays a few lines over the Python API.
"""

from __future__ import annotations

import typer
from rich.markup import escape
from typer.core import TyperGroup
from typer.models import Context

from zhuansheng.errors import ZhuanshengError

from . import (
    allocation,
    assess,
    case,
    collect,
    db,
    demo,
    evaluate,
    imports,
    lake,
    milestone,
    monitor,
    programme,
    projects,
    ref,
    report,
    serve,
)
from .output import console_err


class _Group(TyperGroup):
    """Known errors print as a message and exit 2, never as a traceback (also under CliRunner)."""

    def invoke(self, ctx: Context) -> object:
        from xlsxwriter.exceptions import FileCreateError

        try:
            return super().invoke(ctx)
        except ZhuanshengError as exc:
            console_err.print(f"[bold red]错误[/] {escape(str(exc))}", highlight=False)
            ctx.exit(2)
        except (OSError, FileCreateError) as exc:  # an output path that cannot be written
            why = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else exc
            console_err.print(
                f"[bold red]错误[/] 无法写入或读取文件：{escape(str(why))}；"
                "请检查路径是否存在、是否有写权限",
                highlight=False,
            )
            ctx.exit(2)


app = typer.Typer(
    name="zhuansheng",
    cls=_Group,
    help="转升：传统制造业改造提升监测评价平台 (Zhuansheng: monitoring and evaluation platform).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(ref.app, name="ref")
app.add_typer(programme.app, name="programme")
app.add_typer(db.app, name="db")
app.add_typer(demo.app, name="demo")
app.add_typer(imports.app, name="import")
app.add_typer(lake.app, name="lake")
app.add_typer(evaluate.app, name="evaluate")
app.command("monitor")(monitor.monitor)
app.add_typer(assess.app, name="assess")
app.command("template")(collect.template)
app.add_typer(collect.submission, name="submission")
app.add_typer(allocation.app, name="allocation")
app.add_typer(collect.user, name="user")
app.add_typer(milestone.app, name="milestone")
app.add_typer(report.app, name="report")
app.command("major-projects")(projects.major_projects)
app.add_typer(case.app, name="case")
app.command("serve")(serve.serve)


def main() -> None:
    app()
