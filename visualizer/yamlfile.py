"""YAML 1.2 input (compose files, policies): bounded loading and error positions, `file:line:col`.

A YAML file is untrusted input, so loading it is bounded before anything walks the tree:
`MAX_YAML_BYTES` of text, `MAX_YAML_DEPTH` levels of nesting (deeper would exhaust Python's
stack), and `MAX_YAML_NODES` nodes once aliases are expanded (a "billion laughs" file is a few
hundred bytes whose aliases expand to billions of nodes; an alias to a node that contains it
never ends). Values Python cannot hold (an integer of more than 4,300 digits, a date that does
not exist) are errors at their place too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

MAX_YAML_BYTES = 1024 * 1024
"""The largest YAML file read (1 MiB; the largest public compose files are near 100 KiB, and
ruamel reads about 100 KiB a second)."""
MAX_YAML_DEPTH = 64
"""The deepest nesting of mappings and sequences accepted (compose files use under 10)."""
MAX_YAML_NODES = 50_000
"""The most nodes a document may hold with its aliases expanded."""


def read_yaml(path: Path, *, what: str) -> Any:  # noqa: ANN401 - any YAML document
    """The YAML tree of a file, read at most `MAX_YAML_BYTES`; errors name the file."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_YAML_BYTES:
        raise InputError(f"{path}: too large for a {what} (over {MAX_YAML_BYTES} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return load_yaml(text, origin=str(path))


def load_yaml(text: str, *, origin: str) -> Any:  # noqa: ANN401 - any YAML document
    """The round-trip tree of `text` (its nodes know their positions); errors name the place."""
    from ruamel.yaml import YAML  # noqa: PLC0415 - only compose sources and policies need YAML
    from ruamel.yaml.error import YAMLError  # noqa: PLC0415

    if len(text) > MAX_YAML_BYTES or len(text.encode("utf-8", "replace")) > MAX_YAML_BYTES:
        raise InputError(f"{origin}: too large (over {MAX_YAML_BYTES} bytes)")
    yaml = YAML(typ="rt")
    yaml.Composer = _bounded_composer()
    yaml.Constructor = _checked_constructor()
    try:
        return yaml.load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{origin}{where}: not valid YAML ({problem})") from None
    except (ValueError, OverflowError) as exc:  # a value met outside any node's construction
        raise InputError(f"{origin}: not valid YAML (cannot read a value: {exc})") from None
    except RecursionError:  # a safety net: the depth limit stops nesting long before this
        raise InputError(f"{origin}: not valid YAML (nested too deeply)") from None


def _bounded_composer() -> type[Any]:
    """A ruamel composer that counts depth and expanded nodes, and refuses recursive aliases."""
    from ruamel.yaml.composer import Composer, ComposerError  # noqa: PLC0415
    from ruamel.yaml.events import AliasEvent  # noqa: PLC0415
    from ruamel.yaml.nodes import MappingNode, SequenceNode  # noqa: PLC0415

    class BoundedComposer(Composer):
        """Stops at `MAX_YAML_DEPTH` levels and `MAX_YAML_NODES` expanded nodes."""

        def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401
            sizes: dict[int, int] = self.__dict__.setdefault("_netviz_sizes", {})
            depth: int = self.__dict__.get("_netviz_depth", 0)
            event = self.parser.peek_event()
            if isinstance(event, AliasEvent):
                target = self.anchors.get(event.anchor)
                if target is not None and id(target) not in sizes:
                    raise ComposerError(
                        None, None, f"alias *{event.anchor} refers to itself", event.start_mark
                    )
                self._netviz_count(sizes.get(id(target), 1), event.start_mark)
                return super().compose_node(parent, index)
            if depth >= MAX_YAML_DEPTH:
                raise ComposerError(
                    None, None, f"nested deeper than {MAX_YAML_DEPTH} levels", event.start_mark
                )
            self._netviz_depth = depth + 1
            self._netviz_count(1, event.start_mark)
            node = super().compose_node(parent, index)
            self._netviz_depth = depth
            children: Iterable[Any] = ()
            if isinstance(node, SequenceNode):
                children = node.value
            elif isinstance(node, MappingNode):
                children = (n for pair in node.value for n in pair)
            sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in children)
            return node

        def _netviz_count(self, nodes: int, mark: Any) -> None:  # noqa: ANN401
            """Count nodes as they come (an alias counts its anchor's expanded size)."""
            total: int = self.__dict__.get("_netviz_total", 0) + nodes
            self._netviz_total = total
            if total > MAX_YAML_NODES:
                raise ComposerError(
                    None, None, f"more than {MAX_YAML_NODES} nodes once aliases are expanded", mark
                )

    return BoundedComposer


def _checked_constructor() -> type[Any]:
    """A round-trip constructor whose unreadable values are errors at their place."""
    from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor  # noqa: PLC0415

    class CheckedConstructor(RoundTripConstructor):
        """Turns `ValueError`s (a 5,000-digit integer, 2001-13-45) into located errors."""

        def construct_object(self, node: Any, deep: bool = False) -> Any:  # noqa: ANN401, FBT001, FBT002
            try:
                return super().construct_object(node, deep=deep)
            except (ValueError, OverflowError) as exc:
                raise ConstructorError(
                    None, None, f"cannot read this value: {exc}", node.start_mark
                ) from None

    return CheckedConstructor


def position(node: Any, key: str | int | None = None) -> str:  # noqa: ANN401 - YAML nodes
    """`:line:col` of a node, or of one key or item in it; empty when unknown."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return ""
    try:
        if key is not None and isinstance(node, dict):
            line, col = lc.key(key)
        elif key is not None and isinstance(node, list):
            line, col = lc.item(key)
        else:
            line, col = lc.line, lc.col
    except (KeyError, IndexError, TypeError):
        line, col = lc.line, lc.col
    if line is None or col is None:
        return ""
    return f":{line + 1}:{col + 1}"


def locate(tree: Any, path: Iterable[str | int]) -> str:  # noqa: ANN401 - YAML nodes
    """`:line:col` of the deepest part of `path` found in `tree` (keys compared as text).

    A key's own position is given, not its value's: `services.web.ports` points at `ports:`.
    """
    parent: Any = tree
    key: Any = None
    node: Any = tree
    for step in path:
        if isinstance(node, dict):
            found = next((k for k in node if str(k) == str(step)), _MISSING)
            if found is _MISSING:
                break
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            found = step
        else:
            break
        parent, key, node = node, found, node[found]
    return position(parent, key)


_MISSING = object()
