"""pytest plugin: record the arguments of every call of a registered Excel function (udfs.FUNCTIONS).

``UDF_RECORD=/tmp/recorded.pkl python -m pytest -p record_plugin ...`` with ``tests/replay`` on
``PYTHONPATH``; see :mod:`udf_replay` for the whole replay. Calls are kept once each (pickled
arguments), up to 2 MB a call.
"""

from __future__ import annotations

import functools
import importlib
import os
import pickle

_CALLS: list[bytes] = []
_SEEN: set[bytes] = set()
_LARGEST = 2_000_000  # bytes of pickled arguments: a 100k-row benchmark call is not worth keeping


def _recording(name, fn):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            blob = pickle.dumps((name, args, kwargs))
        except Exception:  # an argument that cannot be pickled (a mock): not replayable
            blob = None
        if blob is not None and len(blob) < _LARGEST and blob not in _SEEN:
            _SEEN.add(blob)
            _CALLS.append(blob)
        return fn(*args, **kwargs)

    return call


def pytest_configure(config):
    from udfs._registry import FUNCTIONS

    for name, f in list(FUNCTIONS.items()):
        module = importlib.import_module(f.module)
        wrapped = _recording(name, getattr(module, name))
        setattr(module, name, wrapped)  # doctests and direct imports made after this point
        FUNCTIONS[name] = f.__class__(**{**f.__dict__, "fn": wrapped})


def pytest_unconfigure(config):
    with open(os.environ["UDF_RECORD"], "wb") as fh:
        pickle.dump(_CALLS, fh)
