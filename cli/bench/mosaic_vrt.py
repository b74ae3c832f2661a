"""Writes a GDAL VRT that tiles one raster N x N times (a large raster for benchmarks, no copy).

    /usr/bin/python3 cli/bench/mosaic_vrt.py SCENE.tif N OUT.vrt
"""
import sys

from osgeo import gdal

scene, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
src = gdal.Open(scene)
w, h = src.RasterXSize, src.RasterYSize
bands = []
for b in range(1, src.RasterCount + 1):
    sources = "".join(
        f'<SimpleSource><SourceFilename relativeToVRT="0">{scene}</SourceFilename>'
        f'<SourceBand>{b}</SourceBand><SrcRect xOff="0" yOff="0" xSize="{w}" ySize="{h}"/>'
        f'<DstRect xOff="{j * w}" yOff="{i * h}" xSize="{w}" ySize="{h}"/></SimpleSource>'
        for i in range(n) for j in range(n))
    bands.append(f'<VRTRasterBand dataType="Byte" band="{b}">{sources}</VRTRasterBand>')
gt = ", ".join(map(str, src.GetGeoTransform()))
with open(out, "w") as f:
    f.write(f'<VRTDataset rasterXSize="{w * n}" rasterYSize="{h * n}"><SRS>{src.GetProjection()}'
            f'</SRS><GeoTransform>{gt}</GeoTransform>{"".join(bands)}</VRTDataset>')
