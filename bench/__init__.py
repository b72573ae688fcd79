"""xl-cashrisk benchmark suite: ``python -m bench [--quick] [--only NAME] [--out FILE] [--compare FILE]``.

Generates its own deterministic data, times each benchmark several times (medians), measures the
obvious alternative in the same run and prints the ratio, checks the targets of issue 10 and saves
JSON that a later run can be compared with. See docs/performance.md.
"""
