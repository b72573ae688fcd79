"""Batch runs over inputs larger than memory: Parquet/CSV partitions, pandas or Dask engine.

``plan_parts`` cuts the input files into partitions; ``make_engine`` picks where they run;
``run_age``, ``run_score`` and ``run_loss`` apply the core functions per partition and combine the
partial results (see :mod:`.jobs`). The command line is ``xl-cashrisk batch age|score|loss``; the
guide is docs/scale.md.
"""

from xl_cashrisk.batch.engine import ENGINES, DaskEngine, Engine, PandasEngine, dask_available, make_engine
from xl_cashrisk.batch.jobs import (
    AgeBatch,
    LossBatch,
    chunk_plan,
    combine_buckets,
    combine_schedules,
    run_age,
    run_loss,
    run_score,
)
from xl_cashrisk.batch.sources import Part, TableSink, plan_parts, read_part, write_tables

__all__ = [
    "ENGINES",
    "AgeBatch",
    "DaskEngine",
    "Engine",
    "LossBatch",
    "PandasEngine",
    "Part",
    "TableSink",
    "chunk_plan",
    "combine_buckets",
    "combine_schedules",
    "dask_available",
    "make_engine",
    "plan_parts",
    "read_part",
    "run_age",
    "run_loss",
    "run_score",
    "write_tables",
]
