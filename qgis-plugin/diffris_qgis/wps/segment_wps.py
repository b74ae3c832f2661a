"""Segment by text (GeoServer): diffris:Segment on a GeoServer, the result as a layer or a WFS layer."""

from __future__ import annotations

import tempfile
from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsDataSourceUri,
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsVectorLayer,
    QgsWkbTypes,
)

from .. import settings
from ..input_files import refuse_output_over_input
from ..output_layer import style_on_load
from ..raster_file import geotiff_for
from ..score_style import ScoreStyle
from . import server_catalog
from .coverages import coverage_extent
from .execute_request import UploadedRaster, import_request, segment_request, to_bytes
from .http import Http
from .job import Cancelled, WpsJob, geoserver_base
from .ows import ServerError
from .process_parameters import WKT, is_geometry, offered, to_parameter, wps_value


def wfs_uri(base: str, type_name: str, authcfg: str) -> str:
    """QGIS's WFS provider source for a layer of this GeoServer, with the same login."""
    uri = QgsDataSourceUri()
    uri.setParam("url", f"{base}/wfs")
    uri.setParam("typename", type_name)
    uri.setParam("version", "auto")
    if authcfg:
        uri.setAuthConfigId(authcfg)
    return uri.uri(False)


class SegmentWpsAlgorithm(QgsProcessingAlgorithm):
    SERVER = "SERVER"
    AUTHCFG = "AUTHCFG"
    COVERAGE = "coverage"
    LOCAL_RASTER = "LOCAL_RASTER"
    QUERY = "query"
    ASYNC = "ASYNC"
    PUBLISH = "PUBLISH"
    WORKSPACE = "WORKSPACE"
    STORE = "STORE"
    LAYER_NAME = "LAYER_NAME"
    OUTPUT = "OUTPUT"
    FEATURES = "FEATURES"
    PUBLISHED_LAYER = "PUBLISHED_LAYER"
    WFS_LAYER = "WFS_LAYER"

    poll_seconds = 1.0

    def __init__(self):
        super().__init__()
        self.catalog = None

    def name(self):
        return "segment_geoserver"

    def displayName(self):  # noqa: N802 (QGIS's names from here on)
        return "Segment by text (GeoServer)"

    def createInstance(self):
        return SegmentWpsAlgorithm()

    def shortHelpString(self):
        text = (
            "Runs the WPS process diffris:Segment of a GeoServer with the DiffRIS extension: finds "
            "what the query names ('white storage tanks', 'ships') in a raster and returns one "
            "polygon per object with the attributes query, score (0 to 1), area (m²), pixels, "
            "model, at_edge, source (the coverage) and run_id (one a request), loaded as a layer "
            "coloured by score.\n\n"
            "Raster: a coverage published on that GeoServer (read there through its WCS: the raster "
            "never travels through this computer) or a local raster layer (uploaded as GeoTIFF).\n"
            "Asynchronous runs show the server's progress; Cancel dismisses the server job.\n"
            "Publish as a WFS layer: gs:Import stores the polygons in an existing store of the "
            "server as the layer workspace:name, which is then added through WFS.\n\n"
            "The server, and the id of a QGIS authentication configuration for its login, are set in "
            "Settings > Options > Processing > Providers > DiffRIS; the optional inputs below are "
            "read from that server's DescribeProcess (OK in the options dialog reloads them)."
        )
        catalog = self._catalog()
        if catalog is None:
            return text + "\n\nNo GeoServer is set yet: the optional inputs appear once one is."
        if catalog.problem:
            return text + f"\n\nThe GeoServer {catalog.base} could not be read: {catalog.problem}"
        return text

    def _catalog(self):
        if self.catalog is None:
            url = settings.value(settings.GEOSERVER_URL)
            if url:
                self.catalog = server_catalog.catalog(
                    url, settings.value(settings.GEOSERVER_AUTHCFG)
                )
        return self.catalog

    def initAlgorithm(self, config=None):
        catalog = self._catalog()
        description = catalog.description if catalog else None
        self.addParameter(
            QgsProcessingParameterString(
                self.SERVER, "GeoServer URL", settings.value(settings.GEOSERVER_URL) or None
            )
        )
        self.addParameter(
            QgsProcessingParameterAuthConfig(
                self.AUTHCFG,
                "Authentication (QGIS authentication configuration)",
                settings.value(settings.GEOSERVER_AUTHCFG) or None,
                optional=True,
            )
        )
        coverage_label = "Coverage published on the GeoServer (read there through its WCS)"
        if catalog and catalog.coverages:
            self.addParameter(
                QgsProcessingParameterEnum(
                    self.COVERAGE,
                    coverage_label,
                    [c[0] for c in catalog.coverages],
                    optional=True,
                    usesStaticStrings=True,
                )
            )
        else:
            self.addParameter(
                QgsProcessingParameterString(
                    self.COVERAGE, coverage_label + ", e.g. diffris:port", optional=True
                )
            )
        self.addParameter(
            QgsProcessingParameterRasterLayer(
                self.LOCAL_RASTER, "or a local raster layer (uploaded)", optional=True
            )
        )
        query = description.input(self.QUERY) if description else None
        self.addParameter(
            QgsProcessingParameterString(self.QUERY, query.title if query else "Query")
        )
        if description:
            for spec in description.inputs:
                if offered(spec) and spec.identifier != self.QUERY:
                    self.addParameter(to_parameter(spec))
        self.addParameter(
            QgsProcessingParameterBoolean(self.ASYNC, "Asynchronous (progress and cancel)", True)
        )
        self.addParameter(
            QgsProcessingParameterBoolean(self.PUBLISH, "Publish as a WFS layer (gs:Import)", False)
        )
        for name, label in (
            (self.WORKSPACE, "Publish: workspace"),
            (self.STORE, "Publish: existing store (PostGIS or GeoPackage)"),
            (self.LAYER_NAME, "Publish: layer name"),
        ):
            self.addParameter(QgsProcessingParameterString(name, label, optional=True))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT,
                "Objects found",
                QgsProcessing.TypeVectorPolygon,
                optional=True,
                createByDefault=True,
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.FEATURES, "Number of objects"))
        self.addOutput(
            QgsProcessingOutputString(self.PUBLISHED_LAYER, "Published layer (workspace:name)")
        )
        self.addOutput(QgsProcessingOutputVectorLayer(self.WFS_LAYER, "Published WFS layer"))

    def processAlgorithm(self, parameters, context, feedback):
        try:
            return self._run(parameters, context, feedback)
        except ServerError as e:
            raise QgsProcessingException(str(e))
        except Cancelled as e:
            raise QgsProcessingException(str(e))

    def _run(self, parameters, context, feedback):
        url = self.parameterAsString(parameters, self.SERVER, context).strip()
        if not url:
            raise QgsProcessingException(
                "No GeoServer URL: give one (e.g. http://localhost:8080/geoserver) or set it in the DiffRIS settings"
            )
        base = geoserver_base(url)
        self._refuse_output_over_input(parameters, context)
        authcfg = self.parameterAsString(parameters, self.AUTHCFG, context)
        http = Http(authcfg, feedback)
        feedback.pushInfo(f"Describing diffris:Segment on {base}")
        description = server_catalog.describe(http, base)
        query = self.parameterAsString(parameters, self.QUERY, context).strip()
        if not query:
            raise QgsProcessingException(
                "The query is empty: describe the objects to find, e.g. 'white storage tanks'"
            )
        literals = [(self.QUERY, query)]
        for spec in description.inputs:
            if offered(spec) and spec.literal and spec.identifier != self.QUERY:
                value = wps_value(spec, parameters.get(spec.identifier))
                if value is not None:
                    literals.append((spec.identifier, value))

        with tempfile.TemporaryDirectory(prefix="diffris-wps-") as folder:
            coverage, crs = self._coverage(parameters, context, feedback, http, base, Path(folder))
            complexes = self._geometries(parameters, context, description, crs)
            asynchronous = self.parameterAsBoolean(parameters, self.ASYNC, context)
            job = WpsJob(http, f"{base}/wps", feedback, self.poll_seconds)
            if self.parameterAsBoolean(parameters, self.PUBLISH, context):
                return self._publish(
                    parameters,
                    context,
                    feedback,
                    job,
                    coverage,
                    literals,
                    complexes,
                    asynchronous,
                    base,
                    authcfg,
                )
            feedback.pushInfo(
                f"Executing diffris:Segment ({'asynchronous' if asynchronous else 'synchronous'})"
            )
            request = segment_request(coverage, literals, asynchronous, complexes=complexes)
            answer = job.run(to_bytes(request), asynchronous, "result")
            return self._write_features(parameters, context, feedback, answer, Path(folder), query)

    def _refuse_output_over_input(self, parameters, context):
        """Before any work: the result is written over no file of the local raster layer."""
        layer = self.parameterAsRasterLayer(parameters, self.LOCAL_RASTER, context)
        if layer is None or self.parameterAsBoolean(parameters, self.PUBLISH, context):
            return
        destination = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        refuse_output_over_input(destination, layer, "OUTPUT", "raster layer")

    def _coverage(self, parameters, context, feedback, http, base, folder):
        definition = self.parameterDefinition(self.COVERAGE)
        if isinstance(definition, QgsProcessingParameterEnum):
            published = self.parameterAsEnumString(parameters, self.COVERAGE, context)
        else:
            published = self.parameterAsString(parameters, self.COVERAGE, context).strip()
        layer = self.parameterAsRasterLayer(parameters, self.LOCAL_RASTER, context)
        if bool(published) == (layer is not None):
            raise QgsProcessingException(
                "Give either a coverage published on the GeoServer or a local raster layer (exactly one)"
            )
        if published:
            extent = coverage_extent(http, base, published)
            feedback.pushInfo(
                f"Coverage {published}: {extent.lower_corner} to {extent.upper_corner} ({extent.crs})"
            )
            return extent, QgsCoordinateReferenceSystem.fromOgcWmsCrs(extent.crs)
        raster = geotiff_for(layer, folder, context, feedback)
        feedback.pushInfo(
            f"Uploading '{layer.name()}' ({raster.stat().st_size / 1e6:.1f} MB GeoTIFF)"
        )
        return UploadedRaster(raster), layer.crs()

    def _geometries(self, parameters, context, description, crs):
        """(identifier, mime type, WKT) of the geometry inputs set (roi), in the raster's CRS."""
        found = []
        for spec in description.inputs:
            if not (is_geometry(spec) and self.parameterDefinition(spec.identifier)):
                continue
            if parameters.get(spec.identifier) in (None, ""):
                continue
            if not crs.isValid():
                raise QgsProcessingException(
                    f"{spec.identifier}: the raster's CRS is unknown, the geometry cannot be placed"
                )
            geometry = self.parameterAsGeometry(parameters, spec.identifier, context, crs)
            if not geometry.isEmpty():
                found.append((spec.identifier, WKT, geometry.asWkt()))
        return found

    def _write_features(
        self, parameters, context, feedback, answer: bytes, folder: Path, query: str
    ):
        path = folder / "result.geojson"
        path.write_bytes(answer)
        result = QgsVectorLayer(str(path), "result", "ogr")
        if not result.isValid():
            start = answer[:200].decode("utf-8", "replace")
            raise QgsProcessingException(
                f"The server's answer is not a GeoJSON feature collection: {start}"
            )
        geometry_type = (
            result.wkbType()
            if QgsWkbTypes.geometryType(result.wkbType()) == QgsWkbTypes.PolygonGeometry
            else QgsWkbTypes.Polygon
        )
        sink, destination = self.parameterAsSink(
            parameters, self.OUTPUT, context, result.fields(), geometry_type, result.crs()
        )
        count = 0
        if sink is not None:
            for feature in result.getFeatures():
                sink.addFeature(feature, QgsFeatureSink.FastInsert)
                count += 1
            style_on_load(context, destination, query)
        else:
            count = result.featureCount()
        del result  # releases the file before the folder is removed
        feedback.pushInfo(f"{count} objects found")
        return {self.OUTPUT: destination, self.FEATURES: count}

    def _publish(
        self,
        parameters,
        context,
        feedback,
        job,
        coverage,
        literals,
        complexes,
        asynchronous,
        base,
        authcfg,
    ):
        workspace = self.parameterAsString(parameters, self.WORKSPACE, context).strip()
        store = self.parameterAsString(parameters, self.STORE, context).strip()
        name = self.parameterAsString(parameters, self.LAYER_NAME, context).strip()
        if not (workspace and store and name):
            raise QgsProcessingException(
                "Publish as a WFS layer needs a workspace, an existing store in it (PostGIS or GeoPackage) and a layer name"
            )
        request = import_request(
            coverage, literals, workspace, store, name, asynchronous, complexes
        )
        feedback.pushInfo(
            f"Executing gs:Import of diffris:Segment into {workspace}:{store} as {name}"
        )
        published = job.run(to_bytes(request), asynchronous, "layerName").decode("utf-8").strip()
        feedback.pushInfo(f"Published layer {published}")
        layer = QgsVectorLayer(wfs_uri(base, published, authcfg), published, "WFS")
        if not layer.isValid():
            raise QgsProcessingException(
                f"gs:Import published {published}, but QGIS cannot open it through WFS at {base}/wfs: {layer.error().summary()}"
            )
        context.temporaryLayerStore().addMapLayer(layer)
        details = QgsProcessingContext.LayerDetails(published, context.project(), self.WFS_LAYER)
        details.setPostProcessor(ScoreStyle.create())
        context.addLayerToLoadOnCompletion(layer.id(), details)
        return {self.PUBLISHED_LAYER: published, self.WFS_LAYER: layer.id()}
