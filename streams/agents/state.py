"""A typed view of a Faust table: pydantic models in, pydantic models out.

Faust tables serialise values with JSON; this adapter stores ``model_dump(mode="json")`` and
validates on the way out, so plain functions (``ClaimTracker``) can use any ``MutableMapping``.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class ModelTable(MutableMapping[str, M], Generic[M]):
    def __init__(self, table: MutableMapping[str, Any], model: type[M]) -> None:
        self._table = table
        self._model = model

    def __getitem__(self, key: str) -> M:
        value = self._table[key]
        return value if isinstance(value, self._model) else self._model.model_validate(value)

    def __setitem__(self, key: str, value: M) -> None:
        self._table[key] = value.model_dump(mode="json")

    def __delitem__(self, key: str) -> None:
        del self._table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, key: object) -> bool:
        return key in self._table
