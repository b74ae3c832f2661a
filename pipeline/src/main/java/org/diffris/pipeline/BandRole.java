package org.diffris.pipeline;

/**
 * What a raster says one of its bands holds (TIFF photometric interpretation and extra samples,
 * GDAL's colour interpretation, a coverage's sample dimensions): the default band selection feeds
 * red, green and blue in the model's order, and an alpha band marks nodata.
 */
public enum BandRole {
  RED,
  GREEN,
  BLUE,
  ALPHA,
  /** Grey, near infrared, undefined, or not said. */
  OTHER
}
