package org.diffris.geotools;

import static org.diffris.geotools.TiffTags.GDAL_NODATA;
import static org.diffris.geotools.TiffTags.GEO_KEY_DIRECTORY;
import static org.diffris.geotools.TiffTags.MODEL_PIXEL_SCALE;
import static org.diffris.geotools.TiffTags.MODEL_TIEPOINT;
import static org.diffris.geotools.TiffTags.MODEL_TRANSFORMATION;

import it.geosolutions.imageio.plugins.tiff.TIFFField;
import it.geosolutions.imageioimpl.plugins.tiff.TIFFImageMetadata;
import java.util.Locale;

/**
 * The georeferencing of a GeoTIFF read straight from its tags, for the common case only: a CRS
 * given by one EPSG code (projected or geographic), pixels as areas, and either one tie point
 * with a pixel scale or a 2D affine model transformation. {@link #parse} returns {@code null}
 * for anything else (user-defined CRSs, unit overrides, pixels as points, several tie points,
 * vertical CRSs), which the caller then reads
 * through GeoTools' full GeoTIFF decoder.
 *
 * @param epsgCode the ProjectedCSTypeGeoKey or GeographicTypeGeoKey value
 * @param gdalTransform pixel corner to world, in GDAL's geotransform order
 * @param noData the GDAL_NODATA tag's value, or {@code null} when absent
 */
record SimpleGeoTiffTags(int epsgCode, double[] gdalTransform, Double noData) {
  private static final int GT_MODEL_TYPE = 1024;
  private static final int GT_RASTER_TYPE = 1025;
  private static final int GT_CITATION = 1026;
  private static final int GEOGRAPHIC_TYPE = 2048;
  private static final int GEOG_CITATION = 2049;
  private static final int PROJECTED_CS_TYPE = 3072;
  private static final int PCS_CITATION = 3073;

  private static final int MODEL_PROJECTED = 1;
  private static final int MODEL_GEOGRAPHIC = 2;
  private static final int RASTER_PIXEL_IS_AREA = 1;

  /** GeoTIFF's "user-defined" and "undefined" key values: not an EPSG code. */
  private static final int USER_DEFINED = 32767;

  static SimpleGeoTiffTags parse(TIFFImageMetadata metadata) {
    TIFFField directory = metadata.getTIFFField(GEO_KEY_DIRECTORY);
    double[] gt = gdalTransform(metadata);
    if (directory == null || gt == null || gt[1] * gt[5] - gt[2] * gt[4] == 0) {
      return null; // a grid of zero-sized pixels is refused, with its reason, by the full decoder
    }
    int[] keys = directory.getAsInts();
    if (keys.length < 4 || keys.length < 4 + 4 * keys[3]) {
      return null;
    }
    int modelType = 0;
    int rasterType = RASTER_PIXEL_IS_AREA; // GeoTIFF's default
    int geographic = 0;
    int projected = 0;
    for (int k = 0; k < keys[3]; k++) {
      int at = 4 + 4 * k;
      int id = keys[at];
      int location = keys[at + 1];
      int value = keys[at + 3];
      switch (id) {
        case GT_CITATION, GEOG_CITATION, PCS_CITATION -> {} // names only
        case GT_MODEL_TYPE, GT_RASTER_TYPE, GEOGRAPHIC_TYPE, PROJECTED_CS_TYPE -> {
          if (location != 0) {
            return null;
          }
          if (id == GT_MODEL_TYPE) {
            modelType = value;
          } else if (id == GT_RASTER_TYPE) {
            rasterType = value;
          } else if (id == GEOGRAPHIC_TYPE) {
            geographic = value;
          } else {
            projected = value;
          }
        }
        default -> {
          return null; // any other key may change the CRS or the grid: full decoder
        }
      }
    }
    if (rasterType != RASTER_PIXEL_IS_AREA) {
      return null;
    }
    int code;
    if (modelType == MODEL_PROJECTED && projected > 0 && projected < USER_DEFINED) {
      code = projected;
    } else if (modelType == MODEL_GEOGRAPHIC
        && projected == 0
        && geographic > 0
        && geographic < USER_DEFINED) {
      code = geographic;
    } else {
      return null;
    }
    Double noData = null;
    TIFFField noDataField = metadata.getTIFFField(GDAL_NODATA);
    if (noDataField != null) {
      String text = noDataField.getAsString(0).trim();
      try {
        noData =
            text.toLowerCase(Locale.ROOT).equals("nan") ? Double.NaN : Double.parseDouble(text);
      } catch (NumberFormatException e) {
        return null; // let the full decoder judge it
      }
    }
    return new SimpleGeoTiffTags(code, gt, noData);
  }

  /** From one tie point and a pixel scale, or from a 2D affine model transformation. */
  private static double[] gdalTransform(TIFFImageMetadata metadata) {
    TIFFField scale = metadata.getTIFFField(MODEL_PIXEL_SCALE);
    TIFFField tiepoint = metadata.getTIFFField(MODEL_TIEPOINT);
    TIFFField matrix = metadata.getTIFFField(MODEL_TRANSFORMATION);
    if (matrix != null && scale == null && tiepoint == null && matrix.getCount() == 16) {
      double[] m = matrix.getAsDoubles();
      boolean affine2d =
          m[2] == 0
              && m[6] == 0
              && m[8] == 0
              && m[9] == 0
              && m[12] == 0
              && m[13] == 0
              && m[14] == 0
              && m[15] == 1;
      return affine2d ? new double[] {m[3], m[0], m[1], m[7], m[4], m[5]} : null;
    }
    if (matrix == null
        && scale != null
        && tiepoint != null
        && scale.getCount() >= 2
        && tiepoint.getCount() == 6) {
      double[] s = scale.getAsDoubles();
      double[] t = tiepoint.getAsDoubles();
      return new double[] {t[3] - t[0] * s[0], s[0], 0, t[4] + t[1] * s[1], 0, -s[1]};
    }
    return null;
  }
}
