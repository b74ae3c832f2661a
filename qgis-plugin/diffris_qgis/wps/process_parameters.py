"""diffris:Segment's optional literal inputs as Processing parameters, and back as WPS values.

Names, titles, defaults and ranges come from the server's DescribeProcess; nothing about them is
written here.
"""

from __future__ import annotations

from typing import Optional

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterGeometry,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .process_description import InputDescription

# Inputs the algorithm offers through parameters of its own (a coverage picker or a raster layer).
HANDLED_APART = ("coverage",)


WKT = "application/wkt"


def offered(description_input: InputDescription) -> bool:
    """Literal inputs, and geometries the server takes as WKT (roi), become parameters."""
    if description_input.identifier in HANDLED_APART:
        return False
    return description_input.literal or WKT in description_input.mime_types


def is_geometry(description_input: InputDescription) -> bool:
    return not description_input.literal and WKT in description_input.mime_types


def label(spec: InputDescription, longest: int = 90) -> str:
    """The form's label: the title, or where a server titles an input by its name (GeoServer
    does), the name and the first sentence of its description."""
    if spec.title != spec.identifier or not spec.abstract:
        return spec.title
    sentence = spec.abstract.split(". ")[0].rstrip(".")
    text = f"{spec.identifier}: {sentence}"
    return text if len(text) <= longest else text[: longest - 1].rstrip() + "…"


def to_parameter(spec: InputDescription) -> QgsProcessingParameterDefinition:
    label_text = label(spec)
    kind = spec.kind
    if is_geometry(spec):
        # Sent as WKT in the raster's CRS, whatever CRS the user draws or types it in.
        parameter = QgsProcessingParameterGeometry(
            spec.identifier, label_text, optional=spec.optional
        )
    elif kind.startswith("number"):
        number_type = (
            QgsProcessingParameterNumber.Integer
            if kind == "number-integer"
            else QgsProcessingParameterNumber.Double
        )
        default = float(spec.default) if spec.default not in (None, "") else None
        parameter = QgsProcessingParameterNumber(
            spec.identifier, label_text, number_type, default, spec.optional
        )
        if spec.minimum is not None:
            parameter.setMinimum(spec.minimum)
        if spec.maximum is not None:
            parameter.setMaximum(spec.maximum)
    elif kind == "boolean":
        default = (spec.default or "").lower() == "true" if spec.default is not None else None
        parameter = QgsProcessingParameterBoolean(
            spec.identifier, label_text, default, spec.optional
        )
    else:
        parameter = QgsProcessingParameterString(
            spec.identifier, label_text, spec.default, False, spec.optional
        )
    parameter.setHelp(spec.abstract)
    return parameter


def wps_value(spec: InputDescription, raw) -> Optional[str]:
    """The literal to send for a user's value, None when there is nothing to send (unset, or the
    server's own default). Checks the server's range, which may differ from the form's when the
    algorithm runs against another server than the one its form was built from."""
    if raw is None or raw == "":
        return None
    kind = spec.kind
    try:
        if kind.startswith("number"):
            number = float(raw)
            if kind == "number-integer":
                if number != int(number):
                    raise ValueError
                text = str(int(number))
            else:
                text = str(int(number)) if number.is_integer() else repr(number)  # 20, not 20.0
            outside = (spec.minimum is not None and number < spec.minimum) or (
                spec.maximum is not None and number > spec.maximum
            )
            if outside:
                raise QgsProcessingException(
                    f"{spec.identifier} is {text}; the server accepts {spec.minimum} to {spec.maximum}"
                )
            if spec.default not in (None, "") and float(spec.default) == number:
                return None
            return text
        if kind == "boolean":
            text = "true" if raw in (True, "true", "True", 1, "1") else "false"
        else:
            text = str(raw).strip()
            if not text:
                return None
    except (TypeError, ValueError):
        expected = {"number-integer": "a whole number", "number-double": "a number"}.get(kind, kind)
        raise QgsProcessingException(f"{spec.identifier}: '{raw}' is not {expected}")
    return None if spec.default is not None and text == spec.default else text
