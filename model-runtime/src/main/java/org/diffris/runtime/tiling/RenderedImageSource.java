package org.diffris.runtime.tiling;

import java.awt.Rectangle;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.util.OptionalDouble;
import java.util.function.UnaryOperator;

/**
 * A {@link RasterSource} over a {@link RenderedImage} (a GeoTools coverage's image, a
 * BufferedImage): any sample type (8/16-bit, int, float, double) read as float, one rectangle per
 * request through {@link RenderedImage#getData(Rectangle)}, so tiled and deferred images are
 * computed only where read. Pixel (0, 0) is the image's (minX, minY). Where the image's samples
 * are not yet the values they stand for (a decoder's stand-in type), a function turns each
 * rectangle read into its values before anything else looks at it, nodata included.
 */
public final class RenderedImageSource implements RasterSource {
  private final RenderedImage image;
  private final double[] nodata;
  private final UnaryOperator<Raster> values;

  /**
   * @param nodata one nodata value per band (NaN = none), or null when no band has one
   */
  public RenderedImageSource(RenderedImage image, double[] nodata) {
    this(image, nodata, UnaryOperator.identity());
  }

  /**
   * @param nodata one nodata value per band (NaN = none, compared with the values), or null
   * @param values the values of a rectangle of the image's samples (same bounds and bands)
   */
  public RenderedImageSource(RenderedImage image, double[] nodata, UnaryOperator<Raster> values) {
    int bands = image.getSampleModel().getNumBands();
    if (nodata != null && nodata.length != bands) {
      throw new IllegalArgumentException(
          "give one nodata value per band (" + bands + "), got " + nodata.length);
    }
    this.image = image;
    this.nodata = nodata == null ? null : nodata.clone();
    this.values = values;
  }

  @Override
  public int width() {
    return image.getWidth();
  }

  @Override
  public int height() {
    return image.getHeight();
  }

  @Override
  public int bandCount() {
    return image.getSampleModel().getNumBands();
  }

  @Override
  public OptionalDouble nodata(int band) {
    return nodata == null || Double.isNaN(nodata[band])
        ? OptionalDouble.empty()
        : OptionalDouble.of(nodata[band]);
  }

  @Override
  public void read(int x, int y, int width, int height, int[] bands, float[] dest) {
    int ix = image.getMinX() + x;
    int iy = image.getMinY() + y;
    Raster data = values.apply(image.getData(new Rectangle(ix, iy, width, height)));
    float[] samples = new float[width * height];
    for (int i = 0; i < bands.length; i++) {
      data.getSamples(ix, iy, width, height, bands[i], samples);
      System.arraycopy(samples, 0, dest, i * width * height, width * height);
    }
  }
}
