"""Report writers: put a pipeline's result tables, charts and stamps into a :class:`ResultWorkbook`.

The CLI commands, the demo and the ribbon actions share these, so a sheet looks the same however it
was produced.
"""
