"""Template table schemas. See :mod:`xl_cashrisk.schemas.schema`."""

from xl_cashrisk.schemas.schema import Column, Table

__all__ = ["Column", "Table"]
