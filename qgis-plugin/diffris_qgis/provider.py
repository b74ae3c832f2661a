"""The Processing provider "DiffRIS": both algorithms and the provider's settings."""

from qgis.core import QgsProcessingProvider

from . import settings
from .local.segment_local import SegmentLocalAlgorithm


class DiffrisProvider(QgsProcessingProvider):
    def id(self):
        return "diffris"

    def name(self):
        return "DiffRIS"

    def longName(self):  # noqa: N802 (QGIS's names)
        return "DiffRIS text-query segmentation"

    def load(self):
        settings.register()
        self.refreshAlgorithms()
        return True

    def unload(self):
        settings.unregister()

    def loadAlgorithms(self):
        from .wps import server_catalog
        from .wps.segment_wps import SegmentWpsAlgorithm

        server_catalog.forget()  # a refresh reads the server (settings may have changed)
        self.addAlgorithm(SegmentLocalAlgorithm())
        self.addAlgorithm(SegmentWpsAlgorithm())

    def supportedOutputVectorLayerExtensions(self):
        # The command line writes GeoPackage; one format keeps both algorithms alike.
        return ["gpkg"]
