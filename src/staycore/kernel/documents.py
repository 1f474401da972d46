"""Documents as data: JSON or YAML text read into plain values, exactly.

A host keeps its pricing rule sets and its loyalty programme as *documents*: text in a
file, a database column or an admin form. Each context reads its own document's shape
(:mod:`staycore.pricing.schema`, :mod:`staycore.membership.programme`); this module
reads the text they share:

* numbers with a fraction become :class:`~decimal.Decimal`, never a binary float, so
  ``"120.10"`` and ``120.10`` are the same amount;
* a key written twice in one mapping is refused, never silently the last one;
* YAML dates stay text (the document's own parser reads them, with their time zone);
* YAML needs PyYAML (the ``yaml`` extra); JSON needs nothing.

Problems are reported as ``(path, message)`` pairs, the way every document error of
staycore lists them, with :func:`document_path` spelling where each one is.

Example:
    >>> from staycore.kernel.documents import read_document
    >>> data, source = read_document('{"currency": "EUR", "rate": 10.50}')
    >>> data, source
    ({'currency': 'EUR', 'rate': Decimal('10.50')}, '')
    >>> read_document('{"a": 1, "a": 2}')
    Traceback (most recent call last):
    ...
    staycore.kernel.documents.UnreadableDocumentError: [documents.unreadable] ...
"""

from __future__ import annotations

import decimal
import json
import os
import re
import typing
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel

from staycore.kernel.errors import KernelError

__all__ = ["UnreadableDocumentError", "document_path", "model_at", "read_document", "shown"]

_SUFFIXES: Final = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
_YAML_MISSING: Final = (
    "reading YAML needs PyYAML: pip install 'staycore[yaml]' (or write the document as JSON)"
)
_PLAIN_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class UnreadableDocumentError(KernelError):
    """A document's text is not JSON or YAML, or repeats a key in one mapping.

    Attributes:
        problems: ``(path, message)`` pairs; the path is empty for the text as a whole.
        source: The file the text came from, or ``""``.
    """

    code = "documents.unreadable"

    def __init__(self, problems: Iterable[tuple[str, str]], *, source: str = "") -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        self.source = source
        where = f"document {source}" if source else "the document"
        super().__init__(f"{where} cannot be read: " + "; ".join(m for _, m in self.problems))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.problems, self.source))


def _rebuild(problems: tuple[tuple[str, str], ...], source: str) -> UnreadableDocumentError:
    return UnreadableDocumentError(problems, source=source)


def shown(value: object) -> str:
    """A value as a document shows it: text in double quotes, numbers bare.

    Example:
        >>> from staycore.kernel.documents import shown
        >>> shown("gold"), shown(12), shown({"a": 1}), shown(None)
        ('"gold"', '12', 'a mapping', 'null')
    """
    text = repr(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, int | Decimal | float):
        text = str(value)
    elif isinstance(value, Mapping):
        text = "a mapping"
    elif isinstance(value, list | tuple):
        text = "a list"
    return text


def document_path(location: Sequence[int | str]) -> str:
    """Where a value sits in a document: ``("tiers", 0, "nights")`` as ``tiers[0].nights``.

    Example:
        >>> from staycore.kernel.documents import document_path
        >>> document_path(("tiers", 0, "nights")), document_path(("rates", "EUR/night"))
        ('tiers[0].nights', 'rates["EUR/night"]')
    """
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PLAIN_NAME.match(part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part, ensure_ascii=False)}]"
    return path


def model_at(root: type[BaseModel], location: Sequence[int | str]) -> type[BaseModel] | None:
    """The pydantic model whose fields hold ``location``, following the annotations.

    For turning pydantic's errors into a document's problems: an unknown key at
    ``location`` is best answered with the keys its model knows.

    Example:
        >>> from staycore.kernel.documents import model_at
        >>> from staycore.membership.programme import ProgrammeData
        >>> model_at(ProgrammeData, ("tiers", "levels", 0)).__name__
        'LevelData'
    """
    model: type[BaseModel] | None = root
    for part in location:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        model = None if field is None else _model_in(field.annotation)
    return model


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def read_document(
    source: str | os.PathLike[str],
    *,
    format: Literal["json", "yaml"] | None = None,
    reader: str = "read_document",
) -> tuple[Any, str]:
    """Read a document's text, or a file, into plain values.

    Args:
        source: The document's text (a ``str``), or the path of a file (a
            :class:`pathlib.Path` or another path-like object).
        format: ``"json"`` or ``"yaml"``. By default a file's suffix says
            (``.json``, ``.yaml``, ``.yml``), and text that starts with ``{`` is JSON,
            any other YAML.
        reader: The public function the caller called, named in the hint given when a
            file name is passed as text.

    Returns:
        The values, and the file name (``""`` for text).

    Raises:
        UnreadableDocumentError: The text is not JSON or YAML, a key is written twice in
            one mapping, a file name was passed as text, or YAML is asked for without
            PyYAML.
        OSError: The file cannot be read.
        TypeError: ``source`` is neither text nor a path.

    Example:
        See the module example.
    """
    if isinstance(source, os.PathLike):
        path = Path(source)
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            problem = f"not UTF-8 text: {error.reason} at byte {error.start}"
            raise UnreadableDocumentError([("", problem)], source=name) from None
        chosen = format or _SUFFIXES.get(path.suffix.lower()) or _guess(text)
    elif isinstance(source, str):
        name, text = "", source
        looks_like_a_file = "\n" not in source and "{" not in source
        if looks_like_a_file and source.strip().lower().endswith(tuple(_SUFFIXES)):
            problem = (
                f"{shown(source)} looks like a file name, and {reader} reads a str as "
                "the document's text: pass pathlib.Path(...) to read the file"
            )
            raise UnreadableDocumentError([("", problem)])
        chosen = format or _guess(text)
    else:
        msg = f"{reader} reads a document's text (str) or a path, not {type(source).__name__}"
        raise TypeError(msg)
    if chosen == "json":
        return _read_json(text, name), name
    if chosen == "yaml":
        return _read_yaml(text, name), name
    problem = f"unknown format {chosen!r}: write 'json' or 'yaml'"
    raise UnreadableDocumentError([("", problem)], source=name)


def _guess(text: str) -> str:
    return "json" if text.lstrip().startswith("{") else "yaml"


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            msg = f"the key {shown(key)} appears twice in one object; keep one"
            raise ValueError(msg)
        mapping[key] = value
    return mapping


def _read_json(text: str, source: str) -> Any:  # noqa: ANN401 - whatever JSON holds
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        problem = f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        raise UnreadableDocumentError([("", problem)], source=source) from None
    except ValueError as error:
        raise UnreadableDocumentError([("", str(error))], source=source) from None


def _read_yaml(text: str, source: str) -> Any:  # noqa: ANN401 - whatever YAML holds
    try:
        import yaml  # noqa: PLC0415 - optional: the `yaml` extra
    except ImportError:
        raise UnreadableDocumentError([("", _YAML_MISSING)], source=source) from None

    class DocumentLoader(yaml.SafeLoader):
        """YAML's safe loader, reading numbers exactly, dates as text, keys once."""

    def exact_number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
        text = str(loader.construct_scalar(node)).replace("_", "")
        try:
            return Decimal(text)
        except decimal.InvalidOperation:
            return text  # .inf and .nan: refused as text where a number is expected

    def as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
        return loader.construct_scalar(node)

    def unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> object:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node)
            if key in seen:
                problem = (
                    f"line {key_node.start_mark.line + 1}: the key {shown(key)} appears twice "
                    "in one mapping; keep one"
                )
                raise UnreadableDocumentError([("", problem)], source=source)
            seen.add(key)
        return loader.construct_mapping(node)

    DocumentLoader.add_constructor("tag:yaml.org,2002:float", exact_number)
    DocumentLoader.add_constructor("tag:yaml.org,2002:timestamp", as_text)
    DocumentLoader.add_constructor("tag:yaml.org,2002:map", unique_mapping)
    try:
        return yaml.load(text, Loader=DocumentLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        reason = getattr(error, "problem", None) or str(error)
        problem = f"not valid YAML: {reason}{where}"
        raise UnreadableDocumentError([("", problem)], source=source) from None
