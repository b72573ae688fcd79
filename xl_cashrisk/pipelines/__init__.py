"""Pipelines: typed settings and DataFrames in, result tables out. The CLI, the ribbon actions and any
batch run call these; they compose the core functions, never re-derive a formula and never open a
workbook (the frames come from :mod:`xl_cashrisk.io.inputs`)."""
