"""The ``zhuansheng`` command: thin Typer commands over the service modules.

Each area registers its own command group from a module of this package, so areas stay
independent and every command stays a few lines over the Python API.
"""

from __future__ import annotations

import sys

import typer

from zhuansheng.errors import ZhuanshengError

from . import db, demo, imports, programme, ref
from .output import console_err

app = typer.Typer(
    name="zhuansheng",
    help="转升：传统制造业改造提升监测评价平台 (Zhuansheng: monitoring and evaluation platform).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(ref.app, name="ref")
app.add_typer(programme.app, name="programme")
app.add_typer(db.app, name="db")
app.add_typer(demo.app, name="demo")
app.add_typer(imports.app, name="import")


def main() -> None:
    """Entry point: known errors print as messages (exit 2), never as tracebacks."""
    try:
        app(standalone_mode=False)
    except ZhuanshengError as exc:
        console_err.print(f"[bold red]错误[/] {exc}", highlight=False, markup=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        console_err.print("已中止 (aborted)")
        sys.exit(1)
    except Exception as exc:  # click usage errors carry their own exit codes
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
