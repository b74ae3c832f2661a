#!/usr/bin/env python3
"""Builds the plugin zip QGIS's "Install from ZIP" takes: dist/diffris_qgis-<version>.zip.

    python3 qgis-plugin/package.py [--out DIR]

The zip holds one folder, diffris_qgis/, the plugin's id; compiled Python files are left out.
"""

from __future__ import annotations

import argparse
import configparser
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLUGIN = HERE / "diffris_qgis"


def version() -> str:
    metadata = configparser.ConfigParser()
    metadata.read(PLUGIN / "metadata.txt", encoding="utf-8")
    return metadata["general"]["version"]


def build(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PLUGIN.name}-{version()}.zip"
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(PLUGIN.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                archive.write(path, Path(PLUGIN.name) / path.relative_to(PLUGIN))
    partial.replace(target)
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE / "dist",
        help="folder for the zip (default qgis-plugin/dist)",
    )
    print(build(parser.parse_args().out))
