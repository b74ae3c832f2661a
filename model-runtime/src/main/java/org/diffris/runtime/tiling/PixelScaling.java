package org.diffris.runtime.tiling;

import java.util.Arrays;
import org.diffris.runtime.ModelDescription;

/**
 * Turns raw pixel values of the selected bands into the model's input: first a per-band linear
 * map to the model's 0..1-like range ({@code v * gain + offset}, optionally clamped to 0..1), then
 * the model's {@code (x - mean) / std}. The same map applies to every tile of a raster, so results
 * never depend on where tiles fall: build it from the bundle's {@code image.scale} or from
 * whole-raster statistics ({@link RasterStatistics}), never per tile. Immutable.
 */
public final class PixelScaling {
  private final float[] gain;
  private final float[] offset;
  private final boolean clamp;
  private final String description;

  private PixelScaling(
      double[] gain,
      double[] offset,
      boolean clamp,
      double[] mean,
      double[] std,
      String description) {
    int n = mean.length;
    if (gain.length != n || offset.length != n || std.length != n) {
      throw new IllegalArgumentException("scaling needs one value per model channel (" + n + ")");
    }
    // Folded: out = ((v * g + o) - mean) / std, clamping (when asked) happens before the fold.
    this.gain = new float[2 * n];
    this.offset = new float[2 * n];
    for (int b = 0; b < n; b++) {
      this.gain[b] = (float) gain[b];
      this.offset[b] = (float) offset[b];
      this.gain[n + b] = (float) (1 / std[b]);
      this.offset[n + b] = (float) (-mean[b] / std[b]);
    }
    this.clamp = clamp;
    this.description = description;
  }

  /**
   * Any per-band linear map followed by a normalization: {@code ((v * gain + offset) - mean) / std}.
   */
  public static PixelScaling of(double[] gain, double[] offset, double[] mean, double[] std) {
    return new PixelScaling(gain, offset, false, mean, std, "linear");
  }

  /** Raw values straight into the model, for {@code channels} bands (tests, pre-scaled input). */
  public static PixelScaling identity(int channels) {
    double[] ones = new double[channels];
    Arrays.fill(ones, 1);
    return new PixelScaling(
        ones, new double[channels], false, new double[channels], ones, "identity");
  }

  /** The bundle's own statistics: {@code v * image.scale}, then mean and std (8-bit input). */
  public static PixelScaling fromBundle(ModelDescription model) {
    ModelDescription.Image image = model.image();
    double[] gain = new double[image.channels()];
    Arrays.fill(gain, image.scale());
    return new PixelScaling(
        gain,
        new double[gain.length],
        false,
        image.mean(),
        image.std(),
        "bundle: value x " + image.scale());
  }

  /**
   * A stretch of {@code low..high} per band to 0..1 (values outside are clamped), then the
   * model's mean and std; for 16-bit or float input, with limits from {@link RasterStatistics}.
   */
  public static PixelScaling stretch(double[] low, double[] high, ModelDescription model) {
    return stretch(low, high, model.image().mean(), model.image().std());
  }

  /** {@link #stretch(double[], double[], ModelDescription)} with explicit mean and std. */
  public static PixelScaling stretch(double[] low, double[] high, double[] mean, double[] std) {
    int n = mean.length;
    if (low.length != n || high.length != n) {
      throw new IllegalArgumentException(
          "stretch needs " + n + " low and high values, one per band");
    }
    double[] gain = new double[n];
    double[] offset = new double[n];
    StringBuilder text = new StringBuilder("stretch");
    for (int b = 0; b < n; b++) {
      double range = high[b] - low[b];
      gain[b] = range > 0 ? 1 / range : 0;
      offset[b] = range > 0 ? -low[b] / range : 0.5;
      text.append(b == 0 ? " " : ", ").append(low[b]).append("..").append(high[b]);
    }
    return new PixelScaling(gain, offset, true, mean, std, text.toString());
  }

  public int channels() {
    return gain.length / 2;
  }

  /** Scales one raw value of the i-th selected band. */
  public float apply(int i, float v) {
    int n = gain.length / 2;
    float x = v * gain[i] + offset[i];
    if (clamp) {
      x = Math.min(1f, Math.max(0f, x));
    }
    return x * gain[n + i] + offset[n + i];
  }

  /** For reports, e.g. {@code "stretch 12.0..3410.0, ..."}. */
  @Override
  public String toString() {
    return description;
  }
}
