"""Segment by text (local): the diffris command line on a raster layer of this computer."""

from __future__ import annotations

import shlex
import shutil
import tempfile
from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterGeometry,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
    QgsWkbTypes,
)

from .. import settings
from ..input_files import refuse_output_over_input
from ..output_layer import style_on_load
from ..raster_file import geotiff_for, source_name
from .command_line import Cancelled, CommandLineError, command_line, describe_estimate

DEVICES = ["auto", "cpu", "cuda"]


class SegmentLocalAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    QUERY = "query"
    THRESHOLD = "threshold"
    BANDS = "bands"
    SCALE = "scale"
    SIMPLIFY = "simplify"
    MIN_AREA = "minArea"
    ROI = "roi"
    DEVICE = "DEVICE"
    MODEL = "MODEL"
    CLI = "CLI"
    OUTPUT = "OUTPUT"
    POLYGONS = "POLYGONS"

    def name(self):
        return "segment_local"

    def displayName(self):  # noqa: N802 (QGIS's names from here on)
        return "Segment by text (local)"

    def shortHelpString(self):
        return (
            "Finds what the query names ('white storage tanks', 'ships') in a raster layer with the "
            "DiffRIS model, on this computer, and writes one polygon per object to a GeoPackage "
            "with the attributes query, score (mean probability inside, 0 to 1), area (m²), "
            "pixels, model, at_edge, source (the layer's file name) and run_id (one a run; the run's "
            "manifest is written beside the output, NAME.run.json).\n\n"
            "Runs the diffris command line (Java 17 or later, found from JAVA_HOME or PATH). Set "
            "where it is in Settings > Options > Processing > Providers > DiffRIS, or in the "
            "'diffris command line' parameter: the 'diffris' launcher, cli/target/diffris-cli.jar, "
            "or the project folder. A layer that is not a GeoTIFF file is written to one first. "
            "An area of interest, drawn or typed in any CRS, limits the search to the pixels whose "
            "centres are inside it, and only the raster's rectangle round it is read. "
            "Cancel stops the command and leaves no file."
        )

    def createInstance(self):
        return SegmentLocalAlgorithm()

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, "Raster layer"))
        self.addParameter(
            QgsProcessingParameterString(self.QUERY, "Query (what to find, in English)")
        )
        threshold = QgsProcessingParameterNumber(
            self.THRESHOLD,
            "Threshold (probability 0 to 1; empty: the model's)",
            QgsProcessingParameterNumber.Double,
            optional=True,
            minValue=0.0,
            maxValue=1.0,
        )
        self.addParameter(threshold)
        self.addParameter(
            QgsProcessingParameterString(
                self.BANDS,
                "Bands for red, green, blue (e.g. 4,3,2; empty: from the file)",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.SCALE,
                "Value scaling (auto, bundle, bits:N, range:LOW,HIGH, percentile:P1,P2)",
                "auto",
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.SIMPLIFY,
                "Simplify (CRS units; 0: pixel-exact)",
                QgsProcessingParameterNumber.Double,
                0.0,
                minValue=0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MIN_AREA,
                "Smallest object (m²)",
                QgsProcessingParameterNumber.Double,
                0.0,
                minValue=0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterGeometry(
                self.ROI,
                "Area of interest (only pixels inside are searched; empty: the whole raster)",
                optional=True,
                geometryTypes=[QgsWkbTypes.PolygonGeometry],
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.DEVICE, "Device", DEVICES, defaultValue="auto", usesStaticStrings=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.MODEL,
                "Model bundle folder (empty: the command line's default)",
                behavior=QgsProcessingParameterFile.Folder,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.CLI,
                "diffris command line (empty: the provider setting)",
                optional=True,
                fileFilter="diffris launcher or jar (diffris *.jar);;All files (*)",
            )
        )
        self.addParameter(
            QgsProcessingParameterVectorDestination(
                self.OUTPUT, "Objects found", QgsProcessing.TypeVectorPolygon
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.POLYGONS, "Number of objects"))

    def processAlgorithm(self, parameters, context, feedback):
        layer = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        if layer is None:
            raise QgsProcessingException("No raster layer given")
        query = self.parameterAsString(parameters, self.QUERY, context).strip()
        if not query:
            raise QgsProcessingException(
                "The query is empty: describe the objects to find, e.g. 'white storage tanks'"
            )
        destination = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        # Before any work: the command line cannot see the layer's own files when it gets a copy.
        refuse_output_over_input(destination, layer, "OUTPUT", "raster layer")
        if not destination.lower().endswith(".gpkg"):
            raise QgsProcessingException(
                f"The local algorithm writes a GeoPackage: choose a .gpkg file for the output, not '{destination}'"
            )
        cli_setting = self.parameterAsFile(parameters, self.CLI, context) or settings.value(
            settings.CLI
        )
        try:
            diffris = command_line(cli_setting)
        except CommandLineError as e:
            raise QgsProcessingException(str(e))

        target = Path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        # The command line writes the output itself, under a temporary name moved into place when
        # complete (nothing left on failure or cancel), and checks it against the real input. A
        # copy of a layer that is not a GeoTIFF goes to a private folder beside the target.
        work = Path(tempfile.mkdtemp(prefix=".diffris-", dir=str(target.parent)))
        try:
            raster = geotiff_for(layer, work, context, feedback)
            arguments = ["segment", "--raster", str(raster), "--query", query]
            arguments += ["--out", str(target), "--overwrite"]
            arguments += self.options(parameters, context) + self.roi(parameters, context, layer)
            arguments += ["--progress", "lines"]
            if raster.parent == work:
                # A copy: the polygons name the layer's own source, not the copy's file.
                arguments += ["--source-name", source_name(layer)]

            def on_progress(done: int, total: int) -> None:
                feedback.setProgressText(f"{done} of {total} tiles")
                feedback.setProgress(100.0 * done / total if total else 100.0)

            try:
                # The estimate first (the same checks as the run, no model run, nothing written).
                feedback.pushInfo(
                    describe_estimate(diffris.estimate(arguments, feedback.isCanceled))
                )
                feedback.pushInfo("Running diffris " + shlex.join(arguments))
                summary = diffris.run(arguments, on_progress, feedback.isCanceled)
            except Cancelled:
                raise QgsProcessingException(
                    "Cancelled: the diffris command was stopped, nothing was written"
                )
            except CommandLineError as e:
                # The command's own messages already start with "diffris segment: ".
                text = str(e)
                raise QgsProcessingException(
                    text if text.startswith("diffris") else f"diffris segment failed: {text}"
                )
        finally:
            shutil.rmtree(work, ignore_errors=True)

        feedback.pushInfo(
            "Found {polygons} objects ({area_m2} m²) on {tiles} tiles, execution provider {provider}, "
            "in {total_ms} ms".format_map(_Missing(summary))
        )
        # The command line writes the run's manifest beside the output (out.gpkg: out.run.json).
        feedback.pushInfo(
            "Run {run_id}: its manifest is {manifest}".format_map(
                _Missing(summary, manifest=str(target.with_suffix(".run.json")))
            )
        )
        style_on_load(context, destination, query)
        return {self.OUTPUT: destination, self.POLYGONS: int(summary.get("polygons", 0))}

    def options(self, parameters, context) -> list:
        """The command line's options for the optional parameters the user set."""
        options = []
        if parameters.get(self.THRESHOLD) not in (None, ""):
            options += [
                "--threshold",
                repr(self.parameterAsDouble(parameters, self.THRESHOLD, context)),
            ]
        bands = self.parameterAsString(parameters, self.BANDS, context).strip()
        if bands:
            options += ["--bands", bands]
        scale = self.parameterAsString(parameters, self.SCALE, context).strip()
        if scale:
            options += ["--scale", scale]
        simplify = self.parameterAsDouble(parameters, self.SIMPLIFY, context)
        if simplify > 0:
            options += ["--simplify", repr(simplify)]
        min_area = self.parameterAsDouble(parameters, self.MIN_AREA, context)
        if min_area > 0:
            options += ["--min-area", repr(min_area)]
        options += [
            "--device",
            self.parameterAsEnumString(parameters, self.DEVICE, context) or "auto",
        ]
        model = self.parameterAsFile(parameters, self.MODEL, context)
        if model:
            options += ["--model", model]
        return options

    def roi(self, parameters, context, layer) -> list:
        """--roi as WKT in the raster layer's CRS when it has an EPSG code (the command line then
        reads it with no transform), else in longitude/latitude; whatever CRS it was drawn in.
        Only polygons get here: the parameter's geometry types refuse the rest."""
        if parameters.get(self.ROI) in (None, ""):
            return []
        crs = layer.crs()
        if not crs.authid().upper().startswith("EPSG:"):
            crs = QgsCoordinateReferenceSystem("EPSG:4326")
        geometry = self.parameterAsGeometry(parameters, self.ROI, context, crs)
        if geometry.isEmpty():
            return []
        # EPSG:4326's WKT from QGIS is longitude first, as the command line reads it (x = east).
        return ["--roi", geometry.asWkt(), "--roi-crs", crs.authid()]


class _Missing(dict):
    """format_map that shows '?' for a key an older command line does not print."""

    def __missing__(self, key):
        return "?"
