"""A WPS 1.0.0 DescribeProcess answer as plain values: each input's name, type, default, range."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import List, Optional

from .ows import ServerError, exception_code, exception_text, parse, q


@dataclass(frozen=True)
class InputDescription:
    identifier: str
    title: str
    abstract: str
    optional: bool
    literal: bool
    data_type: str = (
        "string"  # xs type name for literal inputs: double, integer, string, boolean...
    )
    default: Optional[str] = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    mime_types: List[str] = field(default_factory=list)  # complex inputs

    @property
    def kind(self) -> str:
        """number-double, number-integer, boolean, string or complex."""
        if not self.literal:
            return "complex"
        name = self.data_type.lower().rsplit("#", 1)[-1].rsplit(":", 1)[-1]
        if name in ("double", "float", "decimal"):
            return "number-double"
        if name in ("integer", "int", "long", "short", "nonnegativeinteger", "positiveinteger"):
            return "number-integer"
        if name == "boolean":
            return "boolean"
        return "string"


@dataclass(frozen=True)
class ProcessDescription:
    identifier: str
    title: str
    abstract: str
    inputs: List[InputDescription]
    outputs: List[str]

    def input(self, identifier: str) -> Optional[InputDescription]:
        return next((i for i in self.inputs if i.identifier == identifier), None)


def _text(element: Optional[ET.Element]) -> str:
    return element.text.strip() if element is not None and element.text else ""


def _number(text: str) -> Optional[float]:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if abs(value) != float("inf") else None


def _input(element: ET.Element) -> InputDescription:
    identifier = _text(element.find(q("ows", "Identifier")))
    common = dict(
        identifier=identifier,
        title=_text(element.find(q("ows", "Title"))) or identifier,
        abstract=_text(element.find(q("ows", "Abstract"))),
        optional=element.get("minOccurs", "1") == "0",
    )
    literal = element.find("{*}LiteralData")
    if literal is None:
        mimes = [_text(m) for m in element.findall(".//{*}MimeType")]
        return InputDescription(literal=False, mime_types=list(dict.fromkeys(mimes)), **common)
    data_type = literal.find(q("ows", "DataType"))
    type_name = _text(data_type) or (
        data_type.get(q("ows", "reference"), "string") if data_type is not None else "string"
    )
    minimum = maximum = None
    allowed_range = literal.find(f"{q('ows', 'AllowedValues')}/{q('ows', 'Range')}")
    if allowed_range is not None:
        minimum = _number(_text(allowed_range.find(q("ows", "MinimumValue"))))
        maximum = _number(_text(allowed_range.find(q("ows", "MaximumValue"))))
    default = literal.find("{*}DefaultValue")
    return InputDescription(
        literal=True,
        data_type=type_name,
        default=_text(default) if default is not None else None,
        minimum=minimum,
        maximum=maximum,
        **common,
    )


def parse_description(content: bytes, identifier: str, server: str) -> ProcessDescription:
    root = parse(content, f"DescribeProcess of {identifier}")
    report = exception_text(root) if root.tag.endswith("ExceptionReport") else None
    if report is not None:
        if exception_code(root) in ("InvalidParameterValue", "NoSuchProcess"):
            raise ServerError(
                f"The process {identifier} is not installed on {server} (its WPS answered: {report}). "
                "Install the DiffRIS GeoServer extension there, or choose another server."
            )
        raise ServerError(f"DescribeProcess {identifier} failed on {server}: {report}")
    for description in root.findall(".//{*}ProcessDescription"):
        if _text(description.find(q("ows", "Identifier"))) != identifier:
            continue
        inputs = [_input(e) for e in description.findall("{*}DataInputs/{*}Input")]
        outputs = [
            _text(o.find(q("ows", "Identifier")))
            for o in description.findall("{*}ProcessOutputs/{*}Output")
        ]
        return ProcessDescription(
            identifier=identifier,
            title=_text(description.find(q("ows", "Title"))),
            abstract=_text(description.find(q("ows", "Abstract"))),
            inputs=inputs,
            outputs=outputs,
        )
    raise ServerError(
        f"The process {identifier} is not installed on {server}: DescribeProcess does not describe it"
    )
