"""The embedded, deterministic sample portfolio used by every demo, test and tutorial.

>>> from xl_cashrisk.sample import load_sample
>>> s = load_sample()
>>> s.ledger["doc_type"].value_counts().index.tolist()
['INV', 'CN']
"""

from xl_cashrisk.sample.generate import (
    BUYER_COLUMNS,
    DEFAULT_SEED,
    LEDGER_COLUMNS,
    SamplePortfolio,
    load_sample,
    sample_settings,
)

__all__ = ["BUYER_COLUMNS", "DEFAULT_SEED", "LEDGER_COLUMNS", "SamplePortfolio", "load_sample",
           "sample_settings"]
