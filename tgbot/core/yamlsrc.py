"""YAML loading that remembers line numbers, so content problems can name the line to fix.

Never imports telegram or aiosqlite.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode


class LineMap(dict[str, Any]):
    """A YAML mapping that knows the line of itself and of each of its keys (1-based)."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A YAML sequence that knows the line of itself and of each item (1-based)."""

    line: int = 1
    item_lines: list[int]

    def line_at(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


# libyaml's parser (C) reads the content about ten times faster than PyYAML's pure-Python
# one: with a red-flag file per language the pure-Python parse took most of the start-up.
# The nodes, marks and SafeConstructor are the same; libyaml refuses nesting beyond its own
# limit with a ScannerError, which load_yaml() reports as too deep.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[misc,valid-type]
    """SafeLoader whose mappings and sequences carry their source lines."""


def _construct_mapping(loader: _LineLoader, node: MappingNode) -> LineMap:
    result = LineMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: SequenceNode) -> LineList:
    result = LineList()
    result.line = node.start_mark.line + 1
    result.item_lines = []
    for child in node.value:
        result.append(loader.construct_object(child, deep=True))
        result.item_lines.append(child.start_mark.line + 1)
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlError(ValueError):
    """YAML that does not parse; carries the 1-based line of the problem."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


MAX_YAML_DEPTH = 20  # content needs 4 levels; deeper is a mistake or an attack


def _too_deep(node: Node) -> Node | None:
    """The first node nested deeper than MAX_YAML_DEPTH, found without recursion."""
    stack: list[tuple[Node, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_YAML_DEPTH:
            return current
        if isinstance(current, SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
        elif isinstance(current, MappingNode):
            for key, value in current.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
    return None


def load_yaml(text: str, line_offset: int = 0) -> Any:
    """Parse YAML text; mappings become LineMap and sequences LineList.

    line_offset is added to every line, for YAML embedded in a larger file (front matter).
    Nesting deeper than MAX_YAML_DEPTH is a YamlError, never a RecursionError.
    """
    try:
        loader = _LineLoader(text)
        try:
            node: Node | None = loader.get_single_node()
            if node is None:
                return None
            deep = _too_deep(node)
            if deep is not None:
                raise YamlError(
                    f"nested more than {MAX_YAML_DEPTH} levels deep",
                    deep.start_mark.line + 1 + line_offset,
                )
            _shift(node, line_offset)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        if "maximum nesting depth" in str(exc.problem):
            raise YamlError(f"nested more than {MAX_YAML_DEPTH} levels deep", line) from None
        raise YamlError(f"invalid YAML: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", 1 + line_offset) from None
    except RecursionError:
        # The parser itself recurses per level: nesting it cannot even read.
        raise YamlError(f"nested more than {MAX_YAML_DEPTH} levels deep", 1 + line_offset) from None


def _shift(node: Node, offset: int) -> None:
    """Move every mark of a node tree down by offset lines (iteratively: trees may be deep)."""
    if not offset:
        return
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current.start_mark = _moved(current.start_mark, offset)
        if isinstance(current, MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)


def _moved(mark: yaml.Mark, offset: int) -> yaml.Mark:
    return yaml.Mark(
        mark.name, mark.index, mark.line + offset, mark.column, mark.buffer, mark.pointer
    )
