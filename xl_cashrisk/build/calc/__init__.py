"""The LibreOffice Calc add-in extension: every ``udfs`` function typed in a Calc cell.

:mod:`~xl_cashrisk.build.calc.build` generates ``xl-cashrisk.oxt`` from :data:`udfs.FUNCTIONS`,
:mod:`~xl_cashrisk.build.calc.install` installs it (``unopkg`` or a private profile), and
:mod:`~xl_cashrisk.build.calc.unodriver` drives a headless LibreOffice over UNO (install into a profile,
recalculate workbooks), which the in-cell tests use.
"""
