package org.diffris.pipeline;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import org.diffris.runtime.ModelDescription;
import org.diffris.runtime.tiling.PixelScaling;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.runtime.tiling.RasterStatistics;
import org.diffris.runtime.tiling.RasterStatistics.Census;

/**
 * How raw pixel values reach the model, the one rule for every host. The model was trained on
 * 8-bit colours (the bundle's {@code image.radiometry}); every other encoding is brought to that
 * range with one map for the whole raster, never per tile, so an answer does not depend on where
 * tiles fall nor (for integer and 0–1 data) on the extent. What {@link ScaleRule#AUTO} picks:
 *
 * <ul>
 *   <li>8-bit unsigned samples: the bundle's own scaling ({@code bundle});
 *   <li>other integers: their real bit depth ({@code bits:N}): the depth the file declares
 *       (TIFF BitsPerSample below the container, GDAL's NBITS), else the smallest of 8, 10, 11,
 *       12, 14 and 16 bits that holds the values of the selected bands over the whole raster,
 *       so a 16-bit or 11-bit copy of an 8-bit image reaches the model with the same values;
 *       integers with negative values or above 16 bits get the joint percentiles below (signed
 *       8-bit samples are integers like the others: bits:8 when none is negative);
 *   <li>floating point within 0 to 1: as it is ({@code range:0,1});
 *   <li>other non-negative floating point (reflectance 0–10000, radiance): from 0, which is black
 *       for such data, to the {@value #TOP_PERCENT} % percentile of all selected bands together
 *       ({@code range:0,HIGH}): one pair for every band, which keeps colours (a per-band stretch
 *       would not), anchored at 0, which keeps brightness (a 2–98 % stretch brightened the sample
 *       scenes' reflectance copies so much that their mean IoU fell from 0.650 to 0.501; this
 *       rule gives 0.640, see {@code docs/segment.md});
 *   <li>floating point with negative values, and integers with negative values or above 16 bits:
 *       one low/high pair for all selected bands together, their pooled
 *       {@value #LOW_PERCENT}–{@value #HIGH_PERCENT} % percentiles.
 * </ul>
 *
 * <p>A few extreme pixels never decide the rule: "holds the values", "within 0 to 1", "none
 * negative" all allow {@link #OUTLIER_SHARE} of the values outside (one in 10,000), which are
 * clipped; percentiles are exact, whatever the extremes ({@link RasterStatistics}). NaN and
 * infinite values are missing data, never a limit ({@link RasterInput} turns the infinities into
 * NaN before the model sees them).
 *
 * @param scaling the map from raw values to model input
 * @param low per selected band, the raw value shown as black in a preview
 * @param high per selected band, the raw value shown as white in a preview
 * @param rule the rule applied, in {@link ScaleRule}'s syntax, resolved so that giving it back
 *     feeds the model the same values (percentiles become the {@code range} they gave, except
 *     per band)
 * @param reason why, in words (for logs and the command line)
 */
public record ValueScaling(
    PixelScaling scaling, double[] low, double[] high, String rule, String reason) {
  public static final double LOW_PERCENT = 2;
  public static final double HIGH_PERCENT = 98;

  /** The percentile that maps to white for non-negative floating-point data. */
  public static final double TOP_PERCENT = 99.9;

  /**
   * The share of a raster's values that may lie outside the range a rule takes (negative, above 1
   * for 0–1 data, above a bit depth's top) without changing the rule: one in 10,000. They are
   * clipped, as the top 0.1 % of non-negative floating-point data is.
   */
  public static final double OUTLIER_SHARE = 1e-4;

  /** The bit depths {@code auto} tries for integers, smallest first. */
  static final int[] AUTO_BITS = {8, 10, 11, 12, 14, 16};

  /**
   * The scaling of {@code bands} (0-based) of {@code source} for {@code model}; reads the whole
   * raster once or twice when the rule needs statistics.
   *
   * @throws IOException when the raster cannot be read
   */
  public static ValueScaling of(
      RasterSource source, SampleType type, int[] bands, ModelDescription model, ScaleRule rule)
      throws IOException {
    int n = bands.length;
    return switch (rule.mode()) {
      case BUNDLE -> bundle(model, n, "asked for");
      case BITS -> bits(model, n, rule.bits(), "asked for");
      case RANGE -> range(model, n, rule.low(), rule.high(), "asked for");
      case PERCENTILE -> percentiles(source, bands, model, rule, null, "asked for");
      case AUTO -> auto(source, type, bands, model);
    };
  }

  private static ValueScaling auto(
      RasterSource source, SampleType type, int[] bands, ModelDescription model)
      throws IOException {
    int n = bands.length;
    String label = type.label();
    if (type.isEightBit()) {
      return bundle(model, n, "auto: " + label + " samples");
    }
    if (type.isInteger() && type.declaredBits() > 0 && type.declaredBits() < type.bits()) {
      return bits(model, n, type.declaredBits(), "auto: " + label + ", the bits the file declares");
    }
    // cut 0: zero (values below are negative); cut 1: one; then the tops of AUTO_BITS
    double[] cuts = new double[2 + AUTO_BITS.length];
    cuts[1] = 1;
    for (int i = 0; i < AUTO_BITS.length; i++) {
      cuts[2 + i] = (1L << AUTO_BITS[i]) - 1;
    }
    Census census = RasterStatistics.census(source, bands, true, cuts);
    if (census.count() == 0) {
      return bundle(model, n, "auto: no valid value to measure");
    }
    long outliers = outliers(census.count());
    long negative = census.below(0);
    String values =
        String.format(
            Locale.ROOT, "%s values %s to %s", label, num(census.min()), num(census.max()));
    if (type.isInteger() && negative <= outliers) {
      for (int i = 0; i < AUTO_BITS.length; i++) {
        long outside = negative + census.above(2 + i);
        if (outside <= outliers) {
          return bits(
              model,
              n,
              AUTO_BITS[i],
              "auto: "
                  + values
                  + outsideNote(outside, census.count(), "0 to " + num(cuts[2 + i]))
                  + ", the smallest depth that holds them");
        }
      }
    }
    if (!type.isInteger() && negative + census.above(1) <= outliers) {
      return range(
          model,
          n,
          0,
          1,
          "auto: "
              + values
              + outsideNote(negative + census.above(1), census.count(), "0 to 1")
              + ", within 0 to 1");
    }
    if (!type.isInteger() && negative <= outliers) {
      double top = sixDigits(RasterStatistics.percentiles(source, census, TOP_PERCENT)[0][0]);
      return range(
          model,
          n,
          0,
          top > 0 ? top : 1,
          "auto: "
              + values
              + outsideNote(negative, census.count(), "0 and above")
              + ", none negative: 0 to their joint "
              + ScaleRule.plain(TOP_PERCENT)
              + " % percentile");
    }
    return percentiles(
        source,
        bands,
        model,
        ScaleRule.percentile(LOW_PERCENT, HIGH_PERCENT, false),
        census,
        "auto: " + values);
  }

  /**
   * How many of {@code count} values may lie outside the range a rule takes without changing the
   * rule: {@value #OUTLIER_SHARE} of them, rounded down (so a raster of fewer than 10,000 values
   * has none).
   */
  static long outliers(long count) {
    return (long) Math.floor(count * OUTLIER_SHARE);
  }

  private static String outsideNote(long outside, long count, String range) {
    return outside == 0
        ? ""
        : String.format(
            Locale.ROOT, " (%d of %d outside %s: outliers, clipped)", outside, count, range);
  }

  private static ValueScaling bundle(ModelDescription model, int n, String why) {
    double[] white = new double[n];
    Arrays.fill(white, 255);
    return new ValueScaling(
        PixelScaling.fromBundle(model),
        new double[n],
        white,
        "bundle",
        why + "; the bundle's scaling (value x " + num(model.image().scale()) + ")");
  }

  private static ValueScaling bits(ModelDescription model, int n, int bits, String why) {
    double top = (1L << bits) - 1;
    return stretch(model, n, 0, top, ScaleRule.bits(bits).toString(), why + "; 0 to " + num(top));
  }

  private static ValueScaling range(
      ModelDescription model, int n, double low, double high, String why) {
    return stretch(model, n, low, high, ScaleRule.range(low, high).toString(), why);
  }

  private static ValueScaling stretch(
      ModelDescription model, int n, double low, double high, String rule, String why) {
    double[] lows = new double[n];
    double[] highs = new double[n];
    Arrays.fill(lows, low);
    Arrays.fill(highs, high);
    return new ValueScaling(PixelScaling.stretch(lows, highs, model), lows, highs, rule, why);
  }

  /**
   * @param census the selected bands' pooled census when taken already (saves a pass), or null
   */
  private static ValueScaling percentiles(
      RasterSource source,
      int[] bands,
      ModelDescription model,
      ScaleRule rule,
      Census census,
      String why)
      throws IOException {
    String asked =
        String.format(
            Locale.ROOT,
            "%s %s-%s %% percentiles",
            rule.perBand() ? "per-band" : "joint",
            ScaleRule.plain(rule.low()),
            ScaleRule.plain(rule.high()));
    if (rule.perBand()) {
      double[][] limits = RasterStatistics.percentiles(source, bands, rule.low(), rule.high());
      StringBuilder text = new StringBuilder();
      for (int b = 0; b < bands.length; b++) {
        text.append(b == 0 ? "" : ", ")
            .append("band ")
            .append(bands[b] + 1)
            .append(' ')
            .append(num(limits[0][b]))
            .append(" to ")
            .append(num(limits[1][b]));
      }
      return new ValueScaling(
          PixelScaling.stretch(limits[0], limits[1], model),
          limits[0],
          limits[1],
          rule.toString(),
          why + "; " + asked + ": " + text);
    }
    Census pooled = census != null ? census : RasterStatistics.census(source, bands, true);
    double[][] measured = RasterStatistics.percentiles(source, pooled, rule.low(), rule.high());
    double[] limits = {measured[0][0], measured[1][0]};
    // Six digits, so that the range echoed back (scale=range:...) is the one applied.
    limits[0] = sixDigits(limits[0]);
    limits[1] = sixDigits(limits[1]);
    if (!(limits[0] < limits[1])) {
      limits[1] = limits[0] + 1; // a constant raster: any range that holds it
    }
    return range(
        model,
        bands.length,
        limits[0],
        limits[1],
        why + "; " + asked + " (" + num(limits[0]) + " to " + num(limits[1]) + ")");
  }

  private static double sixDigits(double v) {
    return Double.parseDouble(String.format(Locale.ROOT, "%.6g", v));
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? ScaleRule.plain(v)
        : String.format(Locale.ROOT, "%.6g", v);
  }
}
