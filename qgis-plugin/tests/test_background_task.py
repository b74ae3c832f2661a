"""Both algorithms as the Processing dialog runs them: in a QgsProcessingAlgRunnerTask, off the
main thread, with Cancel pressed from the main thread while the task runs."""

import time

from qgis.core import (
    QgsApplication,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
)

from conftest import SCENES, wait_for
from features import read_features


def run_as_task(algorithm_id: str, parameters: dict, cancel_at_progress: bool = False, timeout=90):
    """(ok, results, progress seen) of the algorithm run by QGIS's task manager."""
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(algorithm_id)
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    task = QgsProcessingAlgRunnerTask(algorithm, parameters, context, feedback)
    progress, finished = [], {}

    def on_progress(value):  # delivered to the main thread, as to the dialog's progress bar
        progress.append(value)
        if cancel_at_progress and 0 < value < 100:
            task.cancel()  # what the dialog's Cancel button does

    feedback.progressChanged.connect(on_progress)
    task.executed.connect(lambda ok, results: finished.update(ok=ok, results=results))
    QgsApplication.taskManager().addTask(task)
    deadline = time.monotonic() + timeout
    while "ok" not in finished and time.monotonic() < deadline:
        QgsApplication.processEvents()
        time.sleep(0.02)
    assert "ok" in finished, "the task did not finish"
    return finished["ok"], finished["results"], progress


def test_local_algorithm_in_a_background_task(local_setting, tmp_path, port_crop, port_crop_ships):
    out = tmp_path / "task.gpkg"
    parameters = {"INPUT": str(port_crop), "query": "ships", "minArea": 20, "OUTPUT": str(out)}
    ok, results, progress = run_as_task("diffris:segment_local", parameters)
    assert ok and results["OUTPUT"] == str(out)
    assert progress and progress[-1] == 100
    assert read_features(out) == read_features(port_crop_ships)


def test_cancel_from_the_main_thread_dismisses_the_server_job(server, tmp_path):
    before = set((server.workdir / "dismissed").glob("*.dismissed"))
    parameters = {
        "LOCAL_RASTER": str(SCENES / "airport.tif"),
        "query": "airplanes",
        "ASYNC": True,
        "OUTPUT": str(tmp_path / "task.gpkg"),
    }
    ok, results, progress = run_as_task(
        "diffris:segment_geoserver", parameters, cancel_at_progress=True
    )
    assert not ok and not (tmp_path / "task.gpkg").exists()
    new = set((server.workdir / "dismissed").glob("*.dismissed")) - before
    assert len(new) == 1, "no Dismiss reached the server"
    status = server.workdir / "outputs" / (new.pop().name.split(".")[0] + ".xml")
    wait_for(lambda: b"dismissed" in status.read_bytes(), 20, "the server job to end dismissed")
