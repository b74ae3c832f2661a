package org.diffris.geotools;

import org.diffris.vectorizer.PixelToWorld;

/**
 * The one place a grid-to-world transform is put in x = east order: GeoTools and the GeoTIFF tags
 * give it in the CRS's declared axis order, and a north-first CRS (EPSG:4326 as the EPSG database
 * defines it) swaps the rows.
 */
final class AxisOrder {
  private AxisOrder() {}

  /**
   * @param gdal the transform in GDAL's geotransform order, in the CRS's axis order
   * @param northFirst whether the CRS lists northing or latitude first
   */
  static PixelToWorld eastFirst(double[] gdal, boolean northFirst) {
    double[] gt =
        northFirst ? new double[] {gdal[3], gdal[4], gdal[5], gdal[0], gdal[1], gdal[2]} : gdal;
    return PixelToWorld.fromGdal(gt);
  }
}
