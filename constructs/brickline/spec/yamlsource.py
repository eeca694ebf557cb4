"""Safe YAML loading that remembers where every value came from.

PyYAML composes the node tree (libyaml's C parser when present); this module builds plain
Python values from it and records, for every key path, the line and column of the key and of
the value. It refuses what a pipeline file never needs: Python and custom tags, duplicate
keys, non-string keys, and alias expansions that would blow up memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from brickline.spec.diagnostics import Diagnostic, Location, Path, format_path

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """libyaml's parser asks Python to resolve every scalar's tag; the answers repeat."""

    _cache: dict[tuple[str, Any], str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = self._cache.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(self._cache) < 100_000:
                self._cache[key] = tag
        return tag

    # no path resolvers are registered: skip the per-node bookkeeping
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_SCALARS = SafeConstructor()

STR = "tag:yaml.org,2002:str"
BOOL = "tag:yaml.org,2002:bool"
MERGE = "tag:yaml.org,2002:merge"
_SCALAR_TAGS = {
    STR, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

# An alias may be used many times. Without aliases a document cannot hold more values than
# about half its characters, so expansion past that (plus a margin) is an alias bomb.
VALUE_MARGIN = 10_000
MAX_DEPTH = 64


@dataclass
class Source:
    """One YAML file: its data, and where each key path sits in it."""

    file: str
    data: Any = None
    # PyYAML's start marks (0-based line and column): a Location is made only when a
    # diagnostic needs one, so loading stores the mark it already has
    values: dict[Path, Any] = field(default_factory=dict)
    keys: dict[Path, Any] = field(default_factory=dict)
    # strings holding '${' or '%{', which Terraform would read as expressions
    templates: list[tuple[Path, str]] = field(default_factory=list)
    # keys holding '${' or '%{': Terraform reads object keys as templates too
    key_templates: list[tuple[Path, str]] = field(default_factory=list)
    # paths whose value was refused (a tag) and read as empty: no second message there
    refused: set[Path] = field(default_factory=set)
    # every string value with its path, in document order (the secret scan reads them)
    strings: list[tuple[Path, str]] = field(default_factory=list)
    # paths whose value carries a YAML anchor (`key: &name ...`)
    anchors: set[Path] = field(default_factory=set)

    def anchored(self, path: Path) -> bool:
        """The value at `path` is a YAML anchor, or a non-empty mapping or list of anchors
        only: a place that holds anchors for other keys to use, which the Databricks CLI
        accepts under any key (libs/dyn/convert/normalize.go isAnchorContainer)."""
        if path in self.anchors:
            return True
        value: Any = self.data
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return False
        if isinstance(value, dict) and value:
            return all(self.anchored((*path, k)) for k in value)
        if isinstance(value, list) and value:
            return all(self.anchored((*path, i)) for i in range(len(value)))
        return False

    def where(self, path: Path, *, key: bool = False) -> Location:
        """The location of a key path, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        probe = tuple(path)
        if probe not in table and probe not in self.values and 0 in probe:
            # a one-or-many value written as one: `trigger_job: {job_name: x}` is item 0
            i = len(probe) - 1 - probe[::-1].index(0)
            probe = probe[:i] + probe[i + 1:]
        while probe:
            if probe in table:
                return self._location(table[probe])
            if key and probe in self.values:
                return self._location(self.values[probe])
            probe = probe[:-1]
        if () in self.values:
            return self._location(self.values[()])
        return Location(self.file, 1, 1)

    def _location(self, mark: Any) -> Location:
        return Location(self.file, mark.line + 1, mark.column + 1)

    def error(self, path: Path, message: str, *, key: bool = False) -> Diagnostic:
        return Diagnostic(self.where(path, key=key), format_path(path), message)


class _TooLarge(Exception):
    pass


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


def _mark(file: str, node: yaml.Node) -> Location:
    return Location(file, *_pos(node))


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load(text: str, file: str) -> tuple[Source, list[Diagnostic]]:
    source = Source(file)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"invalid YAML: {exc.problem or exc.context}"
        if exc.problem == "but found another document":
            message = ("invalid YAML: a second document ('---') in one file; brickline reads "
                       "one document per file: move the second into a file of its own")
        if mark and _char_at(text, mark.line, mark.column) == "\t":
            message += " (a tab; indent with spaces, YAML does not allow tabs)"
        return source, [Diagnostic(Location(file, line, col), "", message)]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return source, [Diagnostic(Location(file, line, col), "",
                                   f"invalid YAML: the control character U+{code:04X} is not "
                                   "allowed in YAML text; remove it (or write it as an escape "
                                   "in a double-quoted string)")]
    except yaml.YAMLError as exc:
        return source, [Diagnostic(Location(file, 1, 1), "", f"invalid YAML: {exc}")]
    except RecursionError:
        return source, [Diagnostic(Location(file, 1, 1), "", "invalid YAML: nested too deeply")]
    if root is None:
        return source, []
    builder = _Builder(source, max_values=VALUE_MARGIN + len(text) // 2, text=text)
    try:
        source.data = builder.build(root, ())
    except _TooLarge as exc:
        return Source(file), [Diagnostic(_mark(file, root), "", str(exc))]
    return source, builder.diagnostics


class _Builder:
    def __init__(self, source: Source, max_values: int, text: str = ""):
        self.source = source
        self.text = text
        self.max_values = max_values
        self.diagnostics: list[Diagnostic] = []
        self.count = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > self.max_values:
            raise _TooLarge(
                f"the document expands to more than {self.max_values:,} values "
                "(anchors and aliases used too often); write the values out instead"
            )
        if len(path) > MAX_DEPTH:
            raise _TooLarge(f"the document nests deeper than {MAX_DEPTH} levels")
        values = self.source.values
        if path not in values:
            values[path] = node.start_mark
            index = node.start_mark.index
            if index < len(self.text) and self.text[index] == "&":
                self.source.anchors.add(path)
        if node.__class__ is yaml.ScalarNode:
            return self._scalar(node, path)
        if node.tag not in _COLLECTION_TAGS:
            self._bad_tag(node, path)
            return None
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        return self._mapping(node, path)

    def _bad_tag(self, node: yaml.Node, path: Path) -> None:
        self.source.refused.add(path)
        self.diagnostics.append(Diagnostic(
            _mark(self.source.file, node), format_path(path),
            f"the tag '{node.tag}' is not allowed: pipeline files hold plain values only",
        ))

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        if node.tag not in _SCALAR_TAGS:
            if node.tag == "tag:yaml.org,2002:timestamp":
                return node.value  # a date is a string to every field that takes one
            self._bad_tag(node, path)
            return None
        if node.tag == STR:
            value = node.value
            self.source.strings.append((path, value))
            if "{" in value and ("${" in value or "%{" in value):
                self.source.templates.append((path, value))
            return value
        if node.tag == BOOL and node.value.lower() not in ("true", "false"):
            # YAML 1.2, as Databricks bundles read it: yes/no/on/off are strings
            return node.value
        return _SCALARS.yaml_constructors[node.tag](_SCALARS, node)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: list[yaml.MappingNode] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                merged.extend(self._merge_sources(value_node, path))
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                self.diagnostics.append(Diagnostic(
                    _mark(self.source.file, key_node), format_path(path),
                    "a key must be a plain string",
                ))
                continue
            # `on: x` or `1: x` resolve to bool/int in YAML; keys here are names, so the
            # key is its text as written.
            key = key_node.value
            child = (*path, key)
            if key in out:
                self.diagnostics.append(Diagnostic(
                    _mark(self.source.file, key_node), format_path(child),
                    f"duplicate key '{key}' (first at line {self.source.keys[child].line + 1})",
                ))
                continue
            self.source.keys[child] = key_node.start_mark
            if "{" in key and ("${" in key or "%{" in key):
                self.source.key_templates.append((child, key))
            out[key] = self.build(value_node, child)
        for extra in merged:
            # `<<: *defaults` fills only keys the mapping does not set itself.
            for key_node, value_node in extra.value:
                key = str(key_node.value)
                if key_node.tag != MERGE and key not in out:
                    child = (*path, key)
                    self.source.keys.setdefault(child, key_node.start_mark)
                    out[key] = self.build(value_node, child)
        return out

    def _merge_sources(self, node: yaml.Node, path: Path) -> list[yaml.MappingNode]:
        if isinstance(node, yaml.MappingNode):
            return [node]
        if isinstance(node, yaml.SequenceNode) and all(
            isinstance(n, yaml.MappingNode) for n in node.value
        ):
            return list(node.value)
        self.diagnostics.append(Diagnostic(
            _mark(self.source.file, node), format_path(path),
            "'<<' merges a mapping or a list of mappings",
        ))
        return []
