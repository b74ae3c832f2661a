"""DiffRIS QGIS plugin: a Processing provider for text-query segmentation, on a GeoServer or locally."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import DiffrisPlugin

    return DiffrisPlugin(iface)
