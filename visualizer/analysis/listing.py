"""A list made on demand, for the audit's pair lists that can outgrow memory."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar, overload

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    """The items of a list, made again at each iteration instead of held in memory.

    A small list is held (`Listing.held`); a list asked for in full at any size
    (`Listing.made_by`) costs a pass to count it, then a pass per reader, each holding one item
    at a time: a renderer writes it as a stream.
    """

    count: int
    """How many items there are."""
    produce: Callable[[], Iterator[T]]
    """Makes the items, in order, each time it is called."""
    kept: bool = True
    """Whether the items are held in memory (else every iteration makes them again)."""

    @classmethod
    def held(cls, produce: Callable[[], Iterable[T]]) -> Listing[T]:
        """A list made once and held in memory."""
        items = tuple(produce())
        return cls(count=len(items), produce=lambda: iter(items))

    @classmethod
    def made_by(cls, produce: Callable[[], Iterator[T]]) -> Listing[T]:
        """A list made on demand; counted now, in one pass that keeps nothing."""
        return cls(count=sum(1 for _ in produce()), produce=produce, kept=False)

    def __iter__(self) -> Iterator[T]:
        """The items, in order."""
        return self.produce()

    def __len__(self) -> int:
        """How many items there are."""
        return self.count

    def __bool__(self) -> bool:
        """Whether there is any item."""
        return self.count > 0

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        """An item, or the items of a slice (read in order, never all held)."""
        if isinstance(index, slice):
            return list(itertools.islice(self.produce(), index.start, index.stop, index.step))
        if not 0 <= index < self.count:
            raise IndexError(index)
        return next(itertools.islice(self.produce(), index, None))
