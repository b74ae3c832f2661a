"""The provider's settings, shown in Settings > Options > Processing > Providers > DiffRIS.

Only the GeoServer URL and the id of a QGIS authentication configuration are stored, never a user
name or password: the credentials stay in QGIS's encrypted authentication database.
"""

from processing.core.ProcessingConfig import ProcessingConfig, Setting

GROUP = "DiffRIS"
CLI = "DIFFRIS_CLI"
GEOSERVER_URL = "DIFFRIS_GEOSERVER_URL"
GEOSERVER_AUTHCFG = "DIFFRIS_GEOSERVER_AUTHCFG"


def register(icon=None) -> None:
    if icon is not None:
        ProcessingConfig.settingIcons[GROUP] = icon
    ProcessingConfig.addSetting(
        Setting(
            GROUP,
            CLI,
            "diffris command line: the 'diffris' launcher, cli/target/diffris-cli.jar or the project folder",
            "",
            valuetype=Setting.FILE,
        )
    )
    ProcessingConfig.addSetting(
        Setting(GROUP, GEOSERVER_URL, "GeoServer URL (e.g. http://localhost:8080/geoserver)", "")
    )
    ProcessingConfig.addSetting(
        Setting(GROUP, GEOSERVER_AUTHCFG, "GeoServer authentication configuration id (authcfg)", "")
    )
    ProcessingConfig.readSettings()


def unregister() -> None:
    for name in (CLI, GEOSERVER_URL, GEOSERVER_AUTHCFG):
        ProcessingConfig.removeSetting(name)


def value(name: str) -> str:
    found = ProcessingConfig.getSetting(name)
    return str(found).strip() if found else ""
