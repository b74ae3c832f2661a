package org.diffris.pipeline;

import java.io.IOException;
import java.util.Arrays;
import org.diffris.runtime.ModelDescription;
import org.diffris.runtime.tiling.PixelScaling;
import org.diffris.runtime.tiling.RasterStatistics;

/**
 * How raw pixel values reach the model, the one rule for every host: 8-bit samples get the
 * model's own scaling (as it was trained); other sample types are stretched per band from their
 * {@value #LOW_PERCENT}–{@value #HIGH_PERCENT} % percentiles over the whole raster, never per
 * tile, so an answer does not depend on where tiles fall.
 *
 * @param scaling the map from raw values to model input
 * @param low per selected band, the raw value shown as black in a preview
 * @param high per selected band, the raw value shown as white in a preview
 */
public record ValueScaling(PixelScaling scaling, double[] low, double[] high) {
  public static final double LOW_PERCENT = 2;
  public static final double HIGH_PERCENT = 98;

  /**
   * The scaling of {@code bands} (0-based) of {@code input} for {@code model}; reads the whole
   * raster once when it is not 8-bit.
   *
   * @throws IOException when the raster cannot be read
   */
  public static ValueScaling of(RasterInput input, int[] bands, ModelDescription model)
      throws IOException {
    if (input.eightBit()) {
      double[] white = new double[bands.length];
      Arrays.fill(white, 255);
      return new ValueScaling(PixelScaling.fromBundle(model), new double[bands.length], white);
    }
    double[][] limits =
        RasterStatistics.percentiles(input.source(), bands, LOW_PERCENT, HIGH_PERCENT);
    return new ValueScaling(
        PixelScaling.stretch(limits[0], limits[1], model), limits[0], limits[1]);
  }
}
