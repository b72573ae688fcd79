"""Command-line interface. Each module in this package adds its commands to :data:`cli`."""

import importlib
import pkgutil

from xl_cashrisk.cli.app import cli

for _m in pkgutil.iter_modules(__path__):
    if _m.name != "app" and not _m.name.startswith("_"):
        importlib.import_module(f"xl_cashrisk.cli.{_m.name}")


def main() -> None:
    cli(obj={})


__all__ = ["cli", "main"]
