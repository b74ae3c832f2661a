"""The zip installs into a clean profile the way QGIS's "Install from ZIP" does, and registers both algorithms."""

import configparser
import zipfile

from qgis.core import QgsApplication


def test_zip_holds_one_plugin_folder_with_its_metadata(plugin_zip):
    with zipfile.ZipFile(plugin_zip) as archive:
        names = archive.namelist()
        metadata = configparser.ConfigParser()
        metadata.read_string(archive.read("diffris_qgis/metadata.txt").decode("utf-8"))
    assert all(name.startswith("diffris_qgis/") for name in names), names
    assert "diffris_qgis/__init__.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    general = metadata["general"]
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["hasProcessingProvider"] == "yes"
    for key in ("name", "description", "about", "version", "author", "email", "repository"):
        assert general.get(key), key


def test_both_algorithms_are_in_the_processing_registry(installed_plugin):
    registry = QgsApplication.processingRegistry()
    provider = registry.providerById("diffris")
    assert provider is not None and provider.name() == "DiffRIS"
    ids = sorted(a.id() for a in provider.algorithms())
    assert ids == ["diffris:segment_geoserver", "diffris:segment_local"]
    assert (
        registry.algorithmById("diffris:segment_local").displayName() == "Segment by text (local)"
    )
    assert (
        registry.algorithmById("diffris:segment_geoserver").displayName()
        == "Segment by text (GeoServer)"
    )


def test_the_plugin_runs_from_the_profile_not_the_source_tree(installed_plugin):
    import diffris_qgis

    assert diffris_qgis.__file__.startswith(str(installed_plugin))


def test_starting_the_gui_part_registers_no_second_provider(installed_plugin):
    import qgis.utils

    plugin = qgis.utils.plugins["diffris_qgis"]
    provider = plugin.provider
    plugin.initGui()  # QGIS with a GUI calls it after initProcessing
    assert plugin.provider is provider
    assert [p.id() for p in QgsApplication.processingRegistry().providers()].count("diffris") == 1
