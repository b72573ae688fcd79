"""Pipelines: settings and DataFrames in, result tables out. The CLI, the ribbon actions and any
batch run call these; they compose the core functions and never re-derive a formula."""
