"""The ``xl-cashrisk`` command group and the error handling every command shares."""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
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


# Command → the module of this package that defines it. A run imports only the module of its command (a
# check of a big ledger then pays no start-up for SciPy and the analyses); a command missing here is still
# found, by importing them all. tests/test_layers.py keeps the table complete.
COMMAND_MODULES = {
    "addin": "addin", "analyze": "analyze", "backtest": "backtest", "batch": "batch", "calc": "calc",
    "demo": "demo", "functions": "functions", "import": "importer", "insurance": "insurance",
    "provision": "provision", "ratios": "ratios", "template": "receivables", "age": "receivables",
    "sample": "sample", "score": "scoring", "monitor": "scoring", "stress": "stress", "validate": "validate",
}


def load_commands() -> None:
    """Import every command module of the package (each adds its commands to :data:`cli`)."""
    package = importlib.import_module("xl_cashrisk.cli")
    for m in pkgutil.iter_modules(package.__path__):
        if m.name != "app" and not m.name.startswith("_"):
            importlib.import_module(f"xl_cashrisk.cli.{m.name}")


class CashRiskGroup(click.Group):
    """Turns user-facing errors into one red line and an exit code, never a traceback; imports a
    command's module when the command is first asked for (:data:`COMMAND_MODULES`)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(f"xl_cashrisk.cli.{COMMAND_MODULES[cmd_name]}")
        if cmd_name not in self.commands:
            load_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        load_commands()
        return super().list_commands(ctx)

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
