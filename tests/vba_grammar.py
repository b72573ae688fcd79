"""VBA source checked with a real VBA grammar (the ANTLR grammars of the ``antlr4-vba`` package).

:func:`syntax_errors` resolves conditional compilation (``#Const``, ``#If … #ElseIf … #Else … #End If``)
with the package's conditional-compilation grammar for Windows Excel (``VBA7``, ``Win64``, and the
module's own ``#Const App = "Microsoft Excel"``), then parses the resulting module with the VBA grammar
(MS-VBAL) and returns every syntax error as ``(line, column, message)``, lines as in the source.

Speed: the Python ANTLR runtime takes about 3 ms a token in full-context (LL) mode, and the directive
grammar's LL time grows with the square of the lines. It therefore sees each run of ordinary lines as
one placeholder line (only the directives matter to it: xlwings' 1185-line module, 13.6 s → 0.3 s). The
VBA grammar parses the declarations and each procedure on its own (a module of one procedure is a valid
module), first in the fast SLL mode, falling back to full LL only for a part where SLL fails.
"""

from __future__ import annotations

import re

from antlr4 import CommonTokenStream, InputStream
from antlr4.atn.PredictionMode import PredictionMode
from antlr4.error.ErrorListener import ErrorListener
from antlr4.error.Errors import ParseCancellationException
from antlr4.error.ErrorStrategy import BailErrorStrategy
from antlr4_vba.vba_ccLexer import vba_ccLexer
from antlr4_vba.vba_ccParser import vba_ccParser as P
from antlr4_vba.vbaLexer import vbaLexer
from antlr4_vba.vbaParser import vbaParser

# Windows desktop Excel, 64-bit Office: VBA 7's predefined compiler constants
WINDOWS_EXCEL = {"vba7": True, "vba6": True, "win64": True, "win32": True, "win16": False, "mac": False}
DIRECTIVE = re.compile(r"\s*#")
HEADER = re.compile(r"\s*Attribute\s+VB_", re.I)
PROCEDURE = re.compile(r"(?:(?:Public|Private|Friend)\s+)?(?:Static\s+)?(?:Sub|Function|Property\s+(?:Get|Let|Set))\s",
                       re.I)


class _Collect(ErrorListener):
    def __init__(self) -> None:
        self.errors: list[tuple[int, int, str]] = []

    def syntaxError(self, recognizer, offendingSymbol, line, column, msg, e):
        self.errors.append((line, column, msg))


def _parser(lexer_cls, parser_cls, text: str, errors: _Collect):
    lexer = lexer_cls(InputStream(text))
    lexer.removeErrorListeners()
    lexer.addErrorListener(errors)
    parser = parser_cls(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(errors)
    return parser


def _parse(lexer_cls, parser_cls, text: str):
    """The parse tree and its syntax errors: SLL first, full LL if SLL cannot decide."""
    fast = _parser(lexer_cls, parser_cls, text, _Collect())
    fast._interp.predictionMode = PredictionMode.SLL
    fast._errHandler = BailErrorStrategy()
    try:
        return fast.startRule(), []
    except ParseCancellationException:
        errors = _Collect()
        tree = _parser(lexer_cls, parser_cls, text, errors).startRule()
        return tree, errors.errors


class _Directives:
    """Which source lines are active, from the directive structure's parse tree."""

    def __init__(self, constants: dict[str, object], runs: list[range]):
        self.constants = {k.casefold(): v for k, v in constants.items()}
        self.runs = runs  # skeleton line n (1-based) stands for the source lines runs[n - 1] (0-based)
        self.active: set[int] = set()

    def block(self, ctx, on: bool) -> None:
        for child in ctx.getChildren():
            if isinstance(child, P.CcConstContext):
                if on:
                    self.constants[child.ccVarLhs().getText().casefold()] = self.value(child.ccExpression())
            elif isinstance(child, P.CcIfBlockContext):
                self.if_block(child, on)
            elif isinstance(child, P.CcBlockContext):
                self.block(child, on)
            elif isinstance(child, P.LogicalLineContext) and on:
                for n in range(child.start.line, child.stop.line + 1):
                    self.active.update(self.runs[n - 1])

    def if_block(self, ctx, on: bool) -> None:
        branches = [(ctx.ccIf().ccExpression(), ctx.ccBlock())]
        branches += [(b.ccElseif().ccExpression(), b.ccBlock()) for b in ctx.ccElseifBlock()]
        if ctx.ccElseBlock() is not None:
            branches.append((None, ctx.ccElseBlock().ccBlock()))
        taken = False
        for expr, body in branches:
            run = on and not taken and (expr is None or bool(self.value(expr)))
            taken = taken or run
            if body is not None:
                self.block(body, run)

    def value(self, e):
        if isinstance(e, P.ParenthesizedExpressionContext):
            return self.value(e.ccExpression())
        if isinstance(e, P.NotOperatorExpressionContext):
            return not self.value(e.ccExpression())
        if isinstance(e, P.IdentifierExpressionContext):
            return self.constants.get(e.getText().casefold(), False)  # an undefined constant is Empty
        if isinstance(e, P.LiteralExpressContext):
            text = e.getText()
            if text.startswith('"'):
                return text[1:-1].replace('""', '"')
            return {"true": True, "false": False}[text.casefold()] if text.isalpha() else float(text)
        a, op, b = self.value(e.getChild(0)), e.getChild(1).getText().casefold(), self.value(e.getChild(2))
        ops = {"=": a == b, "<>": a != b, "and": bool(a) and bool(b), "or": bool(a) or bool(b),
               "xor": bool(a) != bool(b)}
        if op in ("<", ">", "<=", ">="):
            return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        if op not in ops:
            raise NotImplementedError(f"conditional-compilation operator {op!r}")
        return ops[op]


def resolve_conditional_compilation(text: str, constants: dict[str, object] = WINDOWS_EXCEL) -> str:
    """``text`` as the VBA compiler sees it under ``constants``: directives and inactive lines blanked."""
    lines = text.replace("\r\n", "\n").split("\n")
    skeleton, runs = [], []
    for i, ln in enumerate(lines):
        if DIRECTIVE.match(ln) or HEADER.match(ln):
            skeleton.append(ln)
            runs.append(range(i, i + 1))
        elif skeleton and skeleton[-1] == "x":
            runs[-1] = range(runs[-1].start, i + 1)
        else:
            skeleton.append("x")
            runs.append(range(i, i + 1))
    tree, errors = _parse(vba_ccLexer, P, "\n".join(skeleton) + "\n")
    if errors:
        raise SyntaxError(f"conditional-compilation directives do not parse: {errors[:3]}")
    directives = _Directives(constants, runs)
    for child in tree.getChildren():
        if isinstance(child, P.ConditionalModuleBodyContext):
            directives.block(child, True)
    return "\n".join(ln if (i in directives.active or HEADER.match(ln)) and not DIRECTIVE.match(ln) else ""
                     for i, ln in enumerate(lines))


def syntax_errors(text: str, constants: dict[str, object] = WINDOWS_EXCEL) -> list[tuple[int, int, str]]:
    """Every syntax error of a VBA module (``Attribute VB_Name`` header first), after conditional compilation."""
    lines = resolve_conditional_compilation(text, constants).split("\n")
    header = [ln for ln in lines if HEADER.match(ln)]
    starts = [i for i, ln in enumerate(lines) if PROCEDURE.match(ln)]
    errors = _parse(vbaLexer, vbaParser, "\n".join(lines[:starts[0] if starts else len(lines)]) + "\n")[1]
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        part = "\n".join([*header, *lines[start:end]]) + "\n"
        errors += [(line - len(header) + start, col, msg) for line, col, msg in _parse(vbaLexer, vbaParser, part)[1]]
    return errors
