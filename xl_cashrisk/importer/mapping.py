"""Mapping files: a team's saved answer to "which column is what" for one export layout.

A mapping file is TOML (YAML too when PyYAML happens to be installed)::

    # xl-cashrisk import mapping: Kingdee 应收单 list, finance team Guangzhou
    kind = "ledger"
    sheet = "应收单"          # optional
    header_row = 4            # optional: Excel row of the (last) header row
    header_rows = 1           # 1, or 2 for a two-row header
    dayfirst = true           # optional: 01/03/2024 is 1 March (false: 3 January)
    decimal = "."             # optional: "," for 1.234,56
    as_of = 2026-09-30        # optional: the export's as-of date (ageing exports)
    currency = "USD"          # optional: currency of rows the export gives none (--currency)
    home_currency = "USD"     # optional: the books' home currency (--home-currency)

    [fx]                      # optional: home-currency units per unit (--fx EUR=1.08)
    EUR = 1.08

    [columns]                 # target = header text as printed by --show-mapping (or a column letter)
    invoice_no = "单据编号"
    buyer_name = "客户"
    open_amount = "未收金额"

    [defaults]                # values for columns the export does not have
    currency = "CNY"
    terms_days = 30

    [units]                   # a factor per target, when the header does not say 万元 itself
    amount = 10000

    ignore = ["原币金额"]      # header texts to leave out (put it above the first [table])

Everything not given is detected as usual; a header named in ``[columns]`` that is not in the file is
an error, so a changed export layout is noticed instead of silently mis-mapped.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.io.safe import atomic_output, check_regular_file
from xl_cashrisk.schemas.values import ValueRefused, parse_as_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = ["Mapping", "load_mapping", "save_mapping"]

# every option of `xl-cashrisk import` that describes the export (not the files): --monthfirst is dayfirst = false
_KEYS = {"kind", "sheet", "header_row", "header_rows", "dayfirst", "monthfirst", "decimal", "as_of", "currency",
         "home_currency", "fx", "columns", "defaults", "units", "ignore"}


@dataclass
class Mapping:
    kind: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    header_rows: int | None = None
    dayfirst: bool | None = None
    decimal: str | None = None
    as_of: dt.date | None = None
    currency: str | None = None
    home_currency: str | None = None
    fx: dict[str, float] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)
    units: dict[str, float] = field(default_factory=dict)
    ignore: list[str] = field(default_factory=list)


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file; unknown keys and wrong types are errors naming the key."""
    p = check_regular_file(path, role="mapping", what="a mapping file")
    where = Location(str(p))
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the mapping file ({exc})", where) from None
    if p.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # optional: only when the environment already has PyYAML
        except ImportError:
            raise InputError("YAML mapping files need PyYAML, which is not installed; use a .toml mapping file "
                             "(--save-mapping writes one)", where) from None
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"not valid YAML ({exc})", where) from None
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"not valid TOML ({exc})", where) from None
    if not isinstance(data, dict):
        raise InputError("expected a table of settings at the top of the mapping file", where)
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}", where)
    m = Mapping()
    for key in ("kind", "sheet", "decimal", "currency", "home_currency"):
        if key in data:
            m.__dict__[key] = _typed(data[key], str, key, where)
    for key in ("header_row", "header_rows"):
        if key in data:
            m.__dict__[key] = _typed(data[key], int, key, where)
    if m.header_rows not in (None, 1, 2):
        raise InputError(f"header_rows must be 1 or 2, got {m.header_rows}", where)
    if m.decimal not in (None, ".", ","):
        raise InputError(f"decimal must be \".\" or \",\", got {m.decimal!r}", where)
    if "dayfirst" in data:
        m.dayfirst = _typed(data["dayfirst"], bool, "dayfirst", where)
    if "monthfirst" in data:
        month = _typed(data["monthfirst"], bool, "monthfirst", where)
        if m.dayfirst is not None and m.dayfirst == month:
            raise InputError("dayfirst and monthfirst contradict each other; keep one", where)
        m.dayfirst = not month
    for key in ("currency", "home_currency"):
        v = getattr(m, key)
        if v is not None:
            setattr(m, key, currency_code(v, key, where))
    if "fx" in data:
        if not isinstance(data["fx"], dict):
            raise InputError("[fx] must be a table of CUR = rate lines", where)
        m.fx = {currency_code(k, "fx", where): fx_rate(v, f"fx.{k}", where) for k, v in data["fx"].items()}
    if "as_of" in data:
        v = data["as_of"]
        try:
            m.as_of = parse_as_of(v)
        except ValueRefused as exc:
            raise InputError(f"as_of: {exc}", where) from None
    for key in ("columns", "defaults", "units"):
        if key in data:
            if not isinstance(data[key], dict):
                raise InputError(f"[{key}] must be a table of key = value lines", where)
            m.__dict__[key] = dict(data[key])
    m.columns = {k: _typed(v, str, f"columns.{k}", where) for k, v in m.columns.items()}
    known = targets(m.kind)
    for key in ("columns", "defaults", "units"):
        bad = sorted(set(getattr(m, key)) - set(known))
        if bad:
            raise InputError(f"[{key}] unknown key(s) {', '.join(bad)}; known for kind {m.kind or 'ledger/register'}: "
                             + ", ".join(known), where)
    m.units = {k: float(_typed(v, (int, float), f"units.{k}", where)) for k, v in m.units.items()}
    if "ignore" in data:
        if not isinstance(data["ignore"], list):
            raise InputError("ignore must be a list of header texts", where)
        m.ignore = [str(x) for x in data["ignore"]]
    return m


def targets(kind: str | None) -> tuple[str, ...]:
    """What a mapping's [columns]/[defaults]/[units] may name for ``kind`` (both kinds when not given)."""
    from xl_cashrisk.importer.synonyms import SYNONYMS
    from xl_cashrisk.schemas.ledger import LEDGER
    from xl_cashrisk.schemas.register import REGISTER

    tables = {"ledger": LEDGER, "register": REGISTER}
    kinds = [kind] if kind in tables else list(tables)
    out: dict[str, None] = {}
    for k in kinds:
        out.update(dict.fromkeys(c.key for c in tables[k].input_columns))
        out.update(dict.fromkeys(SYNONYMS[k]))
    return tuple(out)


def currency_code(v: object, key: str, where: Location | None = None) -> str:
    """A 3-letter currency code, upper-cased, or an error naming ``key``."""
    if not isinstance(v, str) or not (len(v.strip()) == 3 and v.strip().isalpha()):
        raise InputError(f"{key}: expected a 3-letter currency code such as USD, got {v!r}", where)
    return v.strip().upper()


def fx_rate(v: object, key: str, where: Location | None = None) -> float:
    """A rate to the home currency (> 0), or an error naming ``key``."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
        raise InputError(f"{key}: expected a rate above 0 (home-currency units per unit), got {v!r}", where)
    return float(v)


def _typed(v, kind, key, where):
    if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
        raise InputError(f"{key} has the wrong type ({type(v).__name__})", where)
    return v


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def dumps_mapping(m: Mapping, comment: str = "") -> str:
    """The TOML text of a mapping (what :func:`load_mapping` reads back unchanged)."""
    lines = [f"# {line}" for line in (comment or "xl-cashrisk import mapping").splitlines()]
    for key in ("kind", "sheet", "header_row", "header_rows", "dayfirst", "decimal", "as_of", "currency",
                "home_currency"):
        v = getattr(m, key)
        if v is not None:
            lines.append(f"{key} = {_toml_value(v)}")
    if m.ignore:
        lines.append(f"ignore = {_toml_value(m.ignore)}")
    for key in ("fx", "columns", "defaults", "units"):
        table = getattr(m, key)
        if table:
            lines += ["", f"[{key}]"] + [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _toml_key(k: str) -> str:
    return k if k.replace("_", "").isalnum() and k.isascii() else json.dumps(k, ensure_ascii=False)


def save_mapping(m: Mapping, path: str | Path, comment: str = "") -> Path:
    p = Path(path)
    with atomic_output(p) as tmp:
        Path(tmp).write_text(dumps_mapping(m, comment), encoding="utf-8")
    return p
