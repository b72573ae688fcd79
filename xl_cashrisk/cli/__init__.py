"""Command-line interface. Each module in this package adds its commands to the group ``cli``.

``main`` (the ``xl-cashrisk`` script) imports only the module of the command it runs
(:data:`xl_cashrisk.cli.app.COMMAND_MODULES`); ``from xl_cashrisk.cli import cli`` gives the group with every
command loaded, as a library user or a test expects of ``cli.commands``.
"""

from xl_cashrisk.cli import app as _app


def main() -> None:
    _app.cli(obj={})


def __getattr__(name: str):
    if name == "cli":
        _app.load_commands()
        return _app.cli
    raise AttributeError(f"module 'xl_cashrisk.cli' has no attribute {name!r}")


__all__ = ["cli", "main"]
