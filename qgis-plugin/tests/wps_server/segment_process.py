"""diffris:Segment as a PyWPS process, for the plugin's tests only.

Same identifier, inputs (names, types, optionality, defaults, ranges) and output as the GeoServer
process (geoserver-wps-diffris, docs/geoserver.md), computed by the project's command line. Where
it differs from GeoServer: the result is the command line's GeoJSON (WGS84 longitude/latitude,
not the coverage's CRS), and `roi` is declared but refused (the tests check what the plugin
sends and that the refusal reaches the user).
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path

from pywps import ComplexInput, ComplexOutput, Format, LiteralInput, Process
from pywps.app.exceptions import ProcessError
from pywps.inout.literaltypes import AllowedValue
from pywps.validator.allowed_value import ALLOWEDVALUETYPE

MESSAGE_CHARS = ".:!?=,;-_/'()%<>"


def at_least(minimum, maximum="inf"):
    return [
        AllowedValue(allowed_type=ALLOWEDVALUETYPE.RANGE, minval=minimum, maxval=float(maximum))
    ]


def dismissed_flag(folder: Path, job_id: str) -> Path:
    return folder / f"{job_id}.dismissed"


class SegmentProcess(Process):
    def __init__(self, cli_prefix, dismissed_folder: Path):
        self.cli_prefix = list(cli_prefix)
        self.dismissed_folder = Path(dismissed_folder)
        inputs = [
            ComplexInput("coverage", "Raster to search", supported_formats=[Format("image/tiff")]),
            LiteralInput("query", "What to find, in English", data_type="string"),
            LiteralInput(
                "threshold",
                "Probability threshold",
                data_type="float",
                min_occurs=0,
                allowed_values=at_least(0, 1),
            ),
            LiteralInput(
                "bands", "Bands for red, green and blue", data_type="string", min_occurs=0
            ),
            LiteralInput(
                "scale", "Value scaling", data_type="string", min_occurs=0, default="auto"
            ),
            ComplexInput(
                "roi",
                "Region of interest",
                min_occurs=0,
                supported_formats=[Format("application/wkt"), Format("application/json")],
            ),
            LiteralInput(
                "simplify",
                "Simplification distance",
                data_type="float",
                min_occurs=0,
                default=0,
                allowed_values=at_least(0),
            ),
            LiteralInput(
                "minArea",
                "Smallest object (m2)",
                data_type="float",
                min_occurs=0,
                default=0,
                allowed_values=at_least(0),
            ),
            LiteralInput(
                "maxFeatures",
                "Most objects returned",
                data_type="integer",
                min_occurs=0,
                allowed_values=at_least(1, 1e9),
            ),
        ]
        outputs = [
            ComplexOutput("result", "Objects found", supported_formats=[Format("application/json")])
        ]
        super().__init__(
            self._handler,
            identifier="diffris:Segment",
            title="DiffRIS referring segmentation",
            abstract="Finds the objects a short English phrase refers to, as polygons.",
            inputs=inputs,
            outputs=outputs,
            store_supported=True,
            status_supported=True,
        )

    def _run_async(self, wps_request, wps_response):
        # PyWPS forks each asynchronous job (multiprocessing). This server answers on threads, and
        # a child forked while another thread holds a lock it needs (the log file's, stderr's)
        # waits for it forever: its job never leaves "accepted" and a polling client never ends.
        # A thread has no such hazard; the job's own work runs in the command line's process.
        threading.Thread(
            target=self._run_process, args=(wps_request, wps_response), daemon=True
        ).start()

    def _handler(self, request, response):
        if "roi" in request.inputs:
            raise ProcessError("this test server does not support roi", allowed_chars=MESSAGE_CHARS)
        raster = request.inputs["coverage"][0].file
        out = Path(self.workdir) / "result.geojson"
        arguments = [
            "segment",
            "--raster",
            raster,
            "--query",
            request.inputs["query"][0].data,
            "--out",
            str(out),
            "--progress",
            "lines",
        ]
        options = {
            "threshold": "--threshold",
            "bands": "--bands",
            "scale": "--scale",
            "simplify": "--simplify",
            "minArea": "--min-area",
        }
        for name, flag in options.items():
            if name in request.inputs:
                arguments += [flag, str(request.inputs[name][0].data)]
        self._run_cli(arguments, response)
        if "maxFeatures" in request.inputs:
            keep_largest(out, int(request.inputs["maxFeatures"][0].data))
        response.outputs["result"].file = str(out)
        return response

    def _run_cli(self, arguments, response):
        flag = dismissed_flag(self.dismissed_folder, str(self.uuid))
        process = subprocess.Popen(
            self.cli_prefix + arguments,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: "queue.Queue[str]" = queue.Queue()
        reader = threading.Thread(
            target=lambda: [lines.put(line) for line in process.stderr], daemon=True
        )
        reader.start()
        messages = []
        last_percent = -1
        while True:
            finished = process.poll() is not None
            if finished:
                reader.join()
            while not lines.empty():
                line = lines.get().strip()
                if line.startswith("progress: "):
                    done, total = line.split()[1].split("/")
                    percent = int(90 * int(done) / max(int(total), 1))
                    if percent >= last_percent + 5:
                        last_percent = percent
                        response.update_status(f"{done} of {total} tiles", percent)
                elif line:
                    messages.append(line)
            if finished:
                break
            if flag.exists():
                process.kill()
                process.wait()
                raise ProcessError("The process was dismissed", allowed_chars=MESSAGE_CHARS)
            time.sleep(0.05)
        process.stderr.close()
        if process.returncode != 0:
            raise ProcessError(
                " ".join(messages) or "diffris segment failed", allowed_chars=MESSAGE_CHARS
            )


def keep_largest(path: Path, count: int) -> None:
    """maxFeatures as GeoServer applies it: the largest by area."""
    collection = json.loads(path.read_text())
    collection["features"].sort(key=lambda f: -f["properties"]["area"])
    collection["features"] = collection["features"][:count]
    path.write_text(json.dumps(collection))
