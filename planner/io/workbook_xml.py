"""XlsxWriter's XML element writers, without a regex pass per attribute.

XlsxWriter escapes every attribute value with a regular expression (and an
exception for numbers), and builds each tag by repeated concatenation.
Charts and sheets write about two thousand tags per export that way. This
mixin writes the same bytes: tests/planner/test_xlsx_cells.py compares whole
exports with XlsxWriter's own writers.

It replaces ``_xml_start_tag``, ``_xml_empty_tag`` and ``_xml_data_element`` of
XlsxWriter's ``XMLwriter`` (pinned in pyproject.toml), and calls its
``_escape_control_characters`` for data that may need it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def attribute_value(value: Any) -> Any:
    """An attribute's value escaped as XlsxWriter escapes it; anything but text as it is."""
    if value.__class__ is str and (
        "&" in value or '"' in value or "<" in value or ">" in value or "\n" in value
    ):
        return (
            value.replace("&", "&amp;")
            .replace('"', "&quot;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\n", "&#xA;")
        )
    return value


def _attribute_text(attributes: Iterable[tuple[str, Any]]) -> str:
    return "".join([f' {key}="{attribute_value(value)}"' for key, value in attributes])


def _needs_control_escapes(data: str) -> bool:
    """Whether XlsxWriter's control-character escaping could change ``data``."""
    return "_x" in data or not data.replace("\n", "").replace("\t", "").isprintable()


class FastXml:
    """Mixin for XlsxWriter writers: the same tags, built in one pass."""

    fh: Any
    _escape_control_characters: Any

    def _xml_start_tag(self, tag: str, attributes: Iterable[tuple[str, Any]] = ()) -> None:
        self.fh.write(f"<{tag}{_attribute_text(attributes)}>" if attributes else f"<{tag}>")

    def _xml_empty_tag(self, tag: str, attributes: Iterable[tuple[str, Any]] = ()) -> None:
        self.fh.write(f"<{tag}{_attribute_text(attributes)}/>" if attributes else f"<{tag}/>")

    def _xml_data_element(
        self, tag: str, data: Any, attributes: Iterable[tuple[str, Any]] = ()
    ) -> None:
        if data.__class__ is str:
            if "&" in data or "<" in data or ">" in data:
                data = data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            if _needs_control_escapes(data):
                data = self._escape_control_characters(data)
        self.fh.write(f"<{tag}{_attribute_text(attributes)}>{data}</{tag}>")
