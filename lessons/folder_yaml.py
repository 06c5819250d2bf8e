"""YAML mappings of a course folder (course.yaml, module.yaml, front matter), with the line of every key.

Problems name the file and the line, so the YAML is composed (which keeps the marks)
and then constructed, with PyYAML's safe loader both times.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from lessons.validation import Level, Problem


@dataclass
class YamlMap:
    data: dict
    file: str
    lines: dict[str, int] = field(default_factory=dict)  # key -> line
    line: int | None = None  # where the mapping starts
    end_line: int | None = None
    item_marks: dict[str, list[int]] = field(default_factory=dict)  # a list's key -> each item's line
    prefix: str = ""
    nodes: dict[str, yaml.Node] = field(default_factory=dict, repr=False)
    first_line: int = 1

    @classmethod
    def parse(
        cls, text: str, file: str, first_line: int, problems: list[Problem], keys: Collection[str] = ()
    ) -> "YamlMap | None":
        """``text`` starts at line ``first_line`` of ``file``. None (and an error) unless it is a mapping."""
        try:
            node, data = _load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + first_line if mark is not None else first_line
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            problems.append(Problem(Level.ERROR, _("Not valid YAML: %(error)s.") % {"error": reason}, file, line))
            return None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            message = _("Expected settings as 'key: value' lines.")
            problems.append(Problem(Level.ERROR, message, file, first_line))
            return None
        parsed = cls(data, file, line=first_line)
        if isinstance(node, yaml.MappingNode):
            parsed._mark(node, first_line)
        parsed._unknown(keys, problems)
        return parsed

    def _mark(self, node: yaml.MappingNode, first_line: int) -> None:
        self.line = node.start_mark.line + first_line
        self.end_line = node.end_mark.line + first_line
        for key_node, value_node in node.value:
            key = str(key_node.value)
            self.lines[key] = key_node.start_mark.line + first_line
            if isinstance(value_node, yaml.SequenceNode):
                self.item_marks[key] = [item.start_mark.line + first_line for item in value_node.value]
        self.nodes = {str(key.value): value for key, value in node.value}
        self.first_line = first_line

    def _unknown(self, keys: Collection[str], problems: list[Problem]) -> None:
        for key in self.data:
            if keys and str(key) not in keys:
                message = _("“%(key)s” is not a setting Druppel knows; it is ignored.") % {"key": f"{self.prefix}{key}"}
                problems.append(self.problem(Level.WARNING, message, str(key)))

    def problem(self, level: Level, message: str, key: str) -> Problem:
        return Problem(level, message, self.file, self.lines.get(key, self.line), f"{self.prefix}{key}")

    def text(self, key: str, problems: list[Problem]) -> str:
        """A scalar as stripped text; a list or mapping is an error (and gives "")."""
        value: Any = self.data.get(key)
        if value is None:
            return ""
        if isinstance(value, dict | list):
            message = _("“%(key)s” must be text.") % {"key": f"{self.prefix}{key}"}
            problems.append(self.problem(Level.ERROR, message, key))
            return ""
        return str(value).strip()

    def mapping(self, key: str, problems: list[Problem], keys: Collection[str] = (), prefix: str = "") -> "YamlMap":
        """A nested mapping (empty when absent; an error when it is something else)."""
        value = self.data.get(key)
        nested = YamlMap({}, self.file, line=self.lines.get(key, self.line), prefix=prefix or f"{key}.")
        if value is None:
            return nested
        if not isinstance(value, dict):
            message = _("“%(key)s” must be a set of 'key: value' lines.") % {"key": f"{self.prefix}{key}"}
            problems.append(self.problem(Level.ERROR, message, key))
            return nested
        nested.data = value
        node = self.nodes.get(key)
        if isinstance(node, yaml.MappingNode):
            nested._mark(node, self.first_line)
        nested._unknown(keys, problems)
        return nested

    def item_lines(self, key: str) -> list[int]:
        return self.item_marks.get(key, [])


def _load(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node (with the marks) and its value."""
    loader = yaml.SafeLoader(text)  # the reader checks the characters here already
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else {}
    finally:
        loader.dispose()


def read_yaml_map(path: Path, name: str, problems: list[Problem], keys: Collection[str] = ()) -> YamlMap | None:
    """A YAML file of settings, or None with an error."""
    if not path.exists():
        problems.append(Problem(Level.ERROR, _("The file is missing."), name))
        return None
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        problems.append(Problem(Level.ERROR, _("The file is not UTF-8 text."), name))
        return None
    return YamlMap.parse(text, name, 1, problems, keys)
