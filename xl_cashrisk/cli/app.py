"""The ``xl-cashrisk`` command group and the error handling every command shares."""

from __future__ import annotations

import contextlib
import sys
import textwrap

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.rule import Rule

from xl_cashrisk import __version__
from xl_cashrisk.errors import CashRiskError

LOG_WIDTH = 1000  # output that is not a terminal (a log, a pipe): wide enough that no figure or name is cut
RULE_WIDTH = 100  # section rules in a log


def make_console(*, stderr: bool = False) -> Console:
    """A console that is pleasant in a terminal (its own width, tables may shorten long names with "…")
    and complete elsewhere: redirected to a file or a pipe it renders LOG_WIDTH columns, so tables keep
    their natural width and :func:`clip` cuts nothing."""
    probe = Console(stderr=stderr)
    if probe.is_terminal:
        return Console(stderr=stderr, highlight=False)
    return Console(stderr=stderr, highlight=False, width=LOG_WIDTH)


console = make_console()
err_console = make_console(stderr=True)


def clip(text: str, width: int) -> str:
    """``text`` shortened to ``width`` characters with "…" in a terminal; whole in a log."""
    if not console.is_terminal or len(text) <= width:
        return text
    return textwrap.shorten(text, width, placeholder="…") if " " in text else text[: width - 1] + "…"


def rule(title: str = "", **kw) -> None:
    """A section rule: the terminal's width, or RULE_WIDTH columns in a log."""
    console.print(Rule(title, **kw), width=None if console.is_terminal else RULE_WIDTH)


@contextlib.contextmanager
def progress(total: int):
    """A progress bar over ``total`` steps on a terminal (off in a redirected log, where it would only add
    control characters). Yields ``step(text)``: the previous step is done, ``text`` is running now."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True, disable=not console.is_terminal)
    with bar:
        task = bar.add_task("", total=total)
        started = False

        def step(text: str) -> None:
            nonlocal started
            bar.update(task, advance=1 if started else 0, description=text)
            started = True

        yield step


EXIT_USAGE = 2  # click's own code for bad options
EXIT_INPUT = 3  # the input file or its content is unusable
EXIT_INTERNAL = 70


class CashRiskGroup(click.Group):
    """Turns user-facing errors into one red line and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CashRiskError as exc:
            err_console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
            sys.exit(EXIT_INPUT)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            err_console.print("interrupted; no output file was replaced")
            sys.exit(130)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            err_console.print(
                f"[red]internal error:[/red] {type(exc).__name__}: {exc}\n"
                "This is a bug in xl-cashrisk, not in your file. Re-run with --debug for details and report it.",
                soft_wrap=True,
            )
            sys.exit(EXIT_INTERNAL)


@click.group(cls=CashRiskGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xl-cashrisk")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks for internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """xl-cashrisk: trade-credit and cash-flow risk on Excel workbooks, from the command line.

    信用风险与现金流压力测试工具（命令行）。
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
