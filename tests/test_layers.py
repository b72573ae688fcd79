"""The house keeps its floors: the layer contract, read from the code's imports (docs/architecture.md).

From the bottom up — formula core, schemas, workbook I/O, pipelines, reports, the Excel front end
(``udfs``), build tooling, the command line — a module imports only from its own layer and the layers
below it, including imports inside functions (read with :mod:`ast`, so a lazy import cannot hide an
arrow pointing up). On top of the order: the pipelines never import the I/O layer (frames in, tables
out: they cannot open a workbook), only build tooling and the CLI import ``udfs``, and the core imports
no workbook, Excel or console library. Also here: ``Settings`` holds typed option groups (no free-form
dict), and no function in ``xl_cashrisk/`` or ``udfs/`` runs over :data:`MAX_FUNCTION_LINES` lines.

Each rule is tested on a synthetic module too, so a wrong arrow is known to fail.
"""

from __future__ import annotations

import ast
import dataclasses
import pkgutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest

import udfs

ROOT = Path(__file__).resolve().parents[1]
MAX_FUNCTION_LINES = 120

# (layer, module prefixes), bottom first; the longest matching prefix decides a module's layer
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("xl_cashrisk",)),  # receivables, ratios, scoring/, insurance, portfolio, stress, errors, settings …
    ("schemas", ("xl_cashrisk.schemas",)),
    ("io", ("xl_cashrisk.io", "xl_cashrisk.importer", "xl_cashrisk.batch", "xl_cashrisk.sample")),
    ("pipelines", ("xl_cashrisk.pipelines",)),
    ("reports", ("xl_cashrisk.reports",)),
    ("udfs", ("udfs",)),
    ("build", ("xl_cashrisk.build",)),
    ("cli", ("xl_cashrisk.cli", "xl_cashrisk.__main__")),
)
RANK = {name: i for i, (name, _) in enumerate(LAYERS)}
# arrows the order alone would allow, refused all the same
FORBIDDEN = {("pipelines", "io"): "the pipelines take frames and never open a workbook: read through xl_cashrisk.io"}
# libraries that mean files, Excel or a console: never in the formula core
CORE_REFUSES = ("openpyxl", "xlsxwriter", "python_calamine", "fastexcel", "xlwings", "click", "rich", "defusedxml")


def layer_of(module: str) -> str | None:
    """The layer of an ``xl_cashrisk`` or ``udfs`` module (None for anything else)."""
    best: tuple[int, str] | None = None
    for name, prefixes in LAYERS:
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and (best is None or len(p) > best[0]):
                best = (len(p), name)
    return best[1] if best else None


def imported_modules(source: str, module: str, known: set[str]) -> list[tuple[int, str]]:
    """(line, module) of every import in ``source`` (anywhere: top level, functions, TYPE_CHECKING blocks);
    ``from a import b`` names ``a.b`` when that is a module of ours, else ``a``."""
    out = []
    package = module if module in known and _is_package(module, known) else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, up level - 1
                parts = package.split(".")
                base = ".".join([*parts[:len(parts) - node.level + 1], *([base] if base else [])])
            for a in node.names:
                full = f"{base}.{a.name}"
                out.append((node.lineno, full if full in known else base))
    return out


def _is_package(module: str, known: set[str]) -> bool:
    return any(k.startswith(module + ".") for k in known)


def violations(sources: dict[str, str]) -> list[str]:
    """Every import that breaks the contract, as 'module:line imports target (layer → layer)'."""
    known = set(sources)
    found = []
    for module, source in sorted(sources.items()):
        here = layer_of(module)
        for line, target in imported_modules(source, module, known):
            top = target.split(".")[0]
            there = layer_of(target)
            where = f"{module}:{line} imports {target}"
            if here == "core" and top in CORE_REFUSES:
                found.append(f"{where}: the formula core works on numbers, not files, Excel or a console")
            if here == "core" and target == "xl_cashrisk.settings" and module != "xl_cashrisk.settings":
                found.append(f"{where}: settings gathers the core's defaults and imports the core; a core module "
                             "takes its constants from below (dates, its own module)")
            if here is None or there is None:
                continue
            if RANK[there] > RANK[here]:
                found.append(f"{where}: {here} may not import {there} (an arrow pointing up)")
            elif (here, there) in FORBIDDEN:
                found.append(f"{where}: {FORBIDDEN[here, there]}")
    return found


def function_lengths(sources: dict[str, str], limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """Every function (or method) longer than ``limit`` lines, as 'module:line name (n lines)'."""
    out = []
    for module, source in sorted(sources.items()):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = node.end_lineno - node.lineno + 1
                if n > limit:
                    out.append(f"{module}:{node.lineno} {node.name} ({n} lines)")
    return out


def free_form_fields(cls: type, seen: tuple[type, ...] = ()) -> list[str]:
    """Fields of a settings dataclass (and of its option groups, recursively) typed as a free-form mapping:
    a dict whose values are not a plain type, or ``object`` / ``Any``."""
    out = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        args = typing.get_args(hint)
        if (typing.get_origin(hint) is dict and (len(args) != 2 or args[1] in (object, typing.Any))) or hint in (object, typing.Any, dict):
            out.append(f"{cls.__name__}.{f.name}: {hint}")
        elif dataclasses.is_dataclass(hint) and hint not in seen:
            out += free_form_fields(hint, (*seen, cls))
    return out


def repo_sources() -> dict[str, str]:
    out = {}
    for top in ("xl_cashrisk", "udfs"):
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path.read_text(encoding="utf-8")
    return out


# ------------------------------------------------------------------------------------------ the contract


def test_every_import_keeps_to_the_layers():
    assert violations(repo_sources()) == []


def test_every_module_has_a_layer():
    assert [m for m in repo_sources() if layer_of(m) is None] == []


def test_only_build_tooling_and_the_cli_import_udfs():
    sources = repo_sources()
    known = set(sources)
    users = sorted({layer_of(m) for m, src in sources.items() if not m.startswith("udfs")
                    for _, target in imported_modules(src, m, known) if target.split(".")[0] == "udfs"})
    assert users == ["build", "cli"]


def test_no_function_runs_over_the_limit():
    assert function_lengths(repo_sources()) == []


def test_settings_hold_typed_groups_only():
    from xl_cashrisk.schemas.settings import known_settings
    from xl_cashrisk.settings import OPTION_GROUPS, Settings

    names = {f.name for f in dataclasses.fields(Settings)}
    assert "extras" not in names and free_form_fields(Settings) == []
    # every settings row lands on a typed field: a Settings field, or a field of its domain's group
    groups = {g.domain: {f.name for f in dataclasses.fields(g)} for g in OPTION_GROUPS}
    groups["insurance"] = {f.name for f in dataclasses.fields(Settings().insurance)} | {"policy_holidays"}
    for row in known_settings():
        assert row.key in (groups[row.domain] if row.domain else names), row.key
    for g in OPTION_GROUPS:  # each group hangs off Settings under its domain, and every field has its row
        assert g.domain in names
        assert {f.name for f in dataclasses.fields(g)} == {r.key for r in known_settings() if r.domain == g.domain}


# ------------------------------------------------------------------------------------------ the test's own test


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("xl_cashrisk.schemas.bad", "def f():\n    from xl_cashrisk.pipelines.scoring import run_scoring\n",
     "schemas may not import pipelines"),
    ("xl_cashrisk.io.bad", "from xl_cashrisk import pipelines\n", "io may not import pipelines"),
    ("xl_cashrisk.pipelines.bad", "from xl_cashrisk.io.reader import WorkbookReader\n", "never open a workbook"),
    ("xl_cashrisk.reports.bad", "import xl_cashrisk.cli.app\n", "reports may not import cli"),
    ("xl_cashrisk.io.bad", "import udfs\n", "io may not import udfs"),
    ("udfs.bad", "from xl_cashrisk.build import reference\n", "udfs may not import build"),
    ("xl_cashrisk.receivables_bad", "import openpyxl\n", "not files, Excel or a console"),
    ("xl_cashrisk.scoring.bad", "from ..io import reader\n", "core may not import io"),
    ("xl_cashrisk.ratios_bad", "from xl_cashrisk.settings import DAYS_IN_YEAR\n", "settings gathers the core"),
])
def test_a_wrong_arrow_fails(module, source, expected):
    sources = {**repo_sources(), module: source}
    found = violations(sources)
    assert len(found) == 1 and expected in found[0] and found[0].startswith(f"{module}:")


def test_a_right_arrow_passes():
    sources = {"xl_cashrisk.reports.ok": "from xl_cashrisk.io.writer import ResultWorkbook\n",
               "xl_cashrisk.cli.ok": "import udfs\nfrom xl_cashrisk.build.reference import signature\n",
               "xl_cashrisk.pipelines.ok": "def f():\n    from xl_cashrisk.schemas.ledger import LEDGER\n"}
    assert violations(sources) == []


def test_a_long_function_and_a_free_form_dict_are_caught():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    assert function_lengths({"m": f"def f():\n{body}\n"}) == [f"m:1 f ({MAX_FUNCTION_LINES + 1} lines)"]
    assert function_lengths({"m": f"def f():\n{body[:-len(body.splitlines()[-1]) - 1]}\n"}) == []

    @dataclasses.dataclass
    class Group:
        values: dict[str, float]

    @dataclasses.dataclass
    class Loose:
        group: Group
        extras: dict[str, object]

    globals().update(Group=Group)  # get_type_hints resolves the names of the nested classes here
    try:
        assert free_form_fields(Loose) == ["Loose.extras: dict[str, object]"]
    finally:
        del globals()["Group"]


# ------------------------------------------------------------------------------------------ the Excel side at run time


UDF_MODULES = ["udfs", *sorted(f"udfs.{m.name}" for m in pkgutil.iter_modules(udfs.__path__))]

PROBE = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("click", "rich") or m.startswith("xl_cashrisk.cli"))))
"""


def _loaded_cli_modules(*modules: str) -> list[str]:
    """Modules of the command line loaded by importing ``modules`` in a fresh interpreter (what the test
    session loaded already cannot hide anything; importing any ``udfs.<module>`` runs ``udfs/__init__``,
    which imports every module of the package)."""
    out = subprocess.run([sys.executable, "-c", PROBE, *modules], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_excel_side_imports_no_command_line_modules():
    assert _loaded_cli_modules(*UDF_MODULES) == []


def test_shared_workbook_readers_import_no_command_line_modules():
    assert _loaded_cli_modules("xl_cashrisk.io.inputs") == []


def test_every_udfs_module_is_probed():
    names = {p.stem for p in (ROOT / "udfs").glob("*.py") if p.stem != "__init__"}
    assert {m.split(".", 1)[1] for m in UDF_MODULES if "." in m} == names


def test_the_probe_sees_the_cli_when_it_is_imported():
    """The probe itself works: importing a command module is reported."""
    assert "click" in _loaded_cli_modules("xl_cashrisk.cli.insurance")


def test_a_command_run_imports_only_its_own_module():
    """`xl-cashrisk CMD` imports the command module named in COMMAND_MODULES and no other (start-up: a
    validation of a big ledger pays no import of the analyses); the table names every command's module."""
    from xl_cashrisk.cli import app, cli

    assert {n: c.callback.__module__.rsplit(".", 1)[1] for n, c in cli.commands.items()} == app.COMMAND_MODULES
    run = ("import sys\nfrom xl_cashrisk.cli import main\nsys.argv = ['xl-cashrisk', 'validate', '--help']\n"
           "try:\n    main()\nexcept SystemExit:\n    pass\n"
           "print('LOADED', ' '.join(sorted(m for m in sys.modules if m.startswith('xl_cashrisk.cli.'))))")
    out = subprocess.run([sys.executable, "-c", run], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         check=True)
    loaded = out.stdout.split("LOADED", 1)[1].split()
    assert loaded == ["xl_cashrisk.cli._common", "xl_cashrisk.cli.app", "xl_cashrisk.cli.validate"], loaded
