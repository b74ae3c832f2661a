"""How both algorithms hand their result layer to Processing: a name and the score style."""

from qgis.core import QgsProcessingContext

from .score_style import ScoreStyle


def style_on_load(context: QgsProcessingContext, destination: str, query: str) -> None:
    if context.willLoadLayerOnCompletion(destination):
        details = context.layerToLoadOnCompletionDetails(destination)
        details.name = f"DiffRIS: {query}"
        details.setPostProcessor(ScoreStyle.create())
