"""The result layer's style: polygons coloured by `score`, the model's mean probability inside."""

from __future__ import annotations

from qgis.core import (
    QgsFillSymbol,
    QgsGraduatedSymbolRenderer,
    QgsProcessingLayerPostProcessorInterface,
    QgsRendererRange,
    QgsVectorLayer,
)

# (lower, upper, colour): pale yellow for barely above a typical threshold, dark red for certain.
SCORE_CLASSES = [
    (0.0, 0.6, "#fee391"),
    (0.6, 0.7, "#fec44f"),
    (0.7, 0.8, "#fe9929"),
    (0.8, 0.9, "#d95f0e"),
    (0.9, 1.0, "#993404"),
]


def score_renderer() -> QgsGraduatedSymbolRenderer:
    ranges = []
    for lower, upper, colour in SCORE_CLASSES:
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        symbol = QgsFillSymbol.createSimple(
            {
                "color": f"{red},{green},{blue},110",
                "outline_color": f"{red},{green},{blue},255",
                "outline_width": "0.6",
            }
        )
        ranges.append(QgsRendererRange(lower, upper, symbol, f"score {lower:.1f} – {upper:.1f}"))
    return QgsGraduatedSymbolRenderer("score", ranges)


def apply_score_style(layer: QgsVectorLayer) -> None:
    if layer.fields().indexOf("score") >= 0:
        layer.setRenderer(score_renderer())
        layer.triggerRepaint()


class ScoreStyle(QgsProcessingLayerPostProcessorInterface):
    """Styles an algorithm's output layer when Processing loads it into the project."""

    _alive = []  # Processing keeps only a C++ pointer: hold the Python object

    @classmethod
    def create(cls) -> "ScoreStyle":
        style = cls()
        cls._alive.append(style)
        return style

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS's name)
        if isinstance(layer, QgsVectorLayer):
            apply_score_style(layer)
