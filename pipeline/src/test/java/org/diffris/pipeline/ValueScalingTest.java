package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.DoubleUnaryOperator;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.ModelDescription;
import org.diffris.runtime.tiling.PixelScaling;
import org.diffris.runtime.tiling.RasterSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one rule that brings raw values to the model: every lossless re-encoding of an 8-bit image
 * reaches the model with the 8-bit image's values, and {@code --scale} says the rest.
 */
class ValueScalingTest {
  static ModelDescription model;

  @BeforeAll
  static void bundle() throws Exception {
    model = ModelBundle.open(Path.of("..", "sample-data", "models", "diffris-tiny")).description();
  }

  /** A 3-band raster of 64 x 32 whose 8-bit values cover 0 to 255, re-encoded by {@code f}. */
  static RasterSource encoded(DoubleUnaryOperator f, Double nodata) {
    int w = 64;
    int h = 32;
    return new RasterSource() {
      public int width() {
        return w;
      }

      public int height() {
        return h;
      }

      public int bandCount() {
        return 3;
      }

      public OptionalDouble nodata(int band) {
        return nodata == null ? OptionalDouble.empty() : OptionalDouble.of(nodata);
      }

      public void read(int x, int y, int rw, int rh, int[] bands, float[] dest) {
        for (int i = 0; i < bands.length; i++) {
          for (int r = 0; r < rh; r++) {
            for (int c = 0; c < rw; c++) {
              int v8 = ((x + c) * 4 + (y + r) * 7 + bands[i] * 50) % 256;
              dest[(i * rh + r) * rw + c] = (float) f.applyAsDouble(v8);
            }
          }
        }
      }
    };
  }

  static final int[] RGB = {0, 1, 2};

  /** The model input of an 8-bit value {@code v8} of band {@code b} after {@code scaling}. */
  static float input(PixelScaling scaling, int b, double raw) {
    return scaling.apply(b, (float) raw);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "UInt16 x 257, UNSIGNED_INTEGER, 16, 0, 257, 0, bits:16, 1e-6",
    "UInt16 x 8 (11 bits in 16), UNSIGNED_INTEGER, 16, 0, 8, 0, bits:11, 0.02",
    "UInt16 NBITS=12 x 16.06, UNSIGNED_INTEGER, 16, 12, 16.0588235294, 0, bits:12, 1e-5",
    "Float32 0-1, FLOAT, 32, 0, 0.00392156862745098, 0, 'range:0,1', 1e-6",
    "Int16 x 4 (10 bits), SIGNED_INTEGER, 16, 0, 4, 0, bits:10, 0.02"
  })
  void autoFeedsTheModelTheEightBitValues(
      String name,
      SampleType.Kind kind,
      int bits,
      int declared,
      double factor,
      double offset,
      String rule,
      double tolerance)
      throws Exception {
    RasterSource source = encoded(v -> v * factor + offset, null);
    ValueScaling s =
        ValueScaling.of(source, new SampleType(kind, bits, declared), RGB, model, ScaleRule.AUTO);
    assertEquals(rule, s.rule(), s.reason());
    assertTrue(s.reason().startsWith("auto: "), s.reason());
    PixelScaling bundle = PixelScaling.fromBundle(model);
    for (int b = 0; b < 3; b++) {
      for (int v = 0; v < 256; v += 5) {
        // model input units: one 8-bit step is about 0.02
        assertEquals(input(bundle, b, v), input(s.scaling(), b, v * factor + offset), tolerance);
      }
    }
  }

  @Test
  void eightBitGetsTheBundlesScaling() throws Exception {
    ValueScaling s =
        ValueScaling.of(encoded(v -> v, null), SampleType.BYTE, RGB, model, ScaleRule.AUTO);
    assertEquals("bundle", s.rule());
    assertEquals(input(PixelScaling.fromBundle(model), 1, 77), input(s.scaling(), 1, 77));
  }

  @Test
  void reflectanceGetsOneJointPairThatKeepsColours() throws Exception {
    // 8-bit colours at a third of their brightness on a 0-10000 scale.
    RasterSource reflectance = encoded(v -> v / 255.0 * 10000 / 3, null);
    SampleType float32 = new SampleType(SampleType.Kind.FLOAT, 32, 0);
    ValueScaling s = ValueScaling.of(reflectance, float32, RGB, model, ScaleRule.AUTO);
    assertTrue(s.rule().startsWith("range:0,"), s.rule());
    assertTrue(s.reason().contains("0 to their joint 99.9 % percentile"), s.reason());
    // One pair for all bands, from 0: equal raw values give equal 0-1 values in every band, and
    // brightness stays near the 8-bit image's (white at 3333 of 10000 here).
    assertEquals(0, s.low()[0]);
    assertEquals(s.low()[0], s.low()[2]);
    assertEquals(s.high()[0], s.high()[1]);
    assertEquals(3333.3, s.high()[0], 10);
    // Echoed back, the rule feeds the same values.
    ValueScaling again =
        ValueScaling.of(reflectance, float32, RGB, model, ScaleRule.parse(s.rule()));
    assertEquals(input(s.scaling(), 0, 1234.5), input(again.scaling(), 0, 1234.5));
    // per-band stretches each band to its own limits
    ValueScaling perBand =
        ValueScaling.of(
            reflectance, float32, RGB, model, ScaleRule.parse("percentile:2,98,per-band"));
    assertEquals("percentile:2,98,per-band", perBand.rule());
  }

  @Test
  void negativeIntegersAndWideIntegersGetJointPercentiles() throws Exception {
    ValueScaling s =
        ValueScaling.of(
            encoded(v -> v - 100, null),
            new SampleType(SampleType.Kind.SIGNED_INTEGER, 16, 0),
            RGB,
            model,
            ScaleRule.AUTO);
    assertTrue(s.rule().startsWith("range:"), s.rule());
    ValueScaling wide =
        ValueScaling.of(
            encoded(v -> v * 1000, null),
            new SampleType(SampleType.Kind.UNSIGNED_INTEGER, 32, 0),
            RGB,
            model,
            ScaleRule.AUTO);
    assertTrue(wide.rule().startsWith("range:"), wide.rule());
  }

  @Test
  void nodataNeverCountsInTheStatistics() throws Exception {
    // 65535 marks nodata: the real values (x 8) still fit 11 bits.
    RasterSource withNodata = encoded(v -> v == 0 ? 65535 : v * 8, 65535.0);
    ValueScaling s =
        ValueScaling.of(
            withNodata,
            new SampleType(SampleType.Kind.UNSIGNED_INTEGER, 16, 0),
            RGB,
            model,
            ScaleRule.AUTO);
    assertEquals("bits:11", s.rule());
  }

  /**
   * A 3-band raster of {@code w x h} re-encoded by {@code f} (as {@link #encoded}), whose first
   * {@code outliers} pixels (row by row) hold {@code outlier} in every band.
   */
  static RasterSource withOutliers(
      int w, int h, DoubleUnaryOperator f, int outliers, float outlier) {
    return new RasterSource() {
      public int width() {
        return w;
      }

      public int height() {
        return h;
      }

      public int bandCount() {
        return 3;
      }

      public void read(int x, int y, int rw, int rh, int[] bands, float[] dest) {
        for (int i = 0; i < bands.length; i++) {
          for (int r = 0; r < rh; r++) {
            for (int c = 0; c < rw; c++) {
              long pixel = (long) (y + r) * w + x + c;
              int v8 = ((x + c) * 4 + (y + r) * 7 + bands[i] * 50) % 256;
              dest[(i * rh + r) * rw + c] =
                  pixel < outliers ? outlier : (float) f.applyAsDouble(v8);
            }
          }
        }
      }
    };
  }

  /**
   * The issue-26 class: one extreme pixel decided the rule of the whole raster (-inf gave
   * range:NaN,NaN, +inf range:0,Infinity, -0.001 a 2-98 % stretch of 0-1 data, one 4095 in
   * 11-bit data bits:12). Now the rule holds while at most {@link ValueScaling#OUTLIER_SHARE} of
   * the values lie outside it, and changes with one pixel more; NaN and infinities never count.
   */
  @ParameterizedTest(name = "{0}, outliers at {5}")
  @CsvSource({
    "Float32 0-1, FLOAT, 32, 0.00392156862745098, 'range:0,1', -0.001",
    "Float32 0-1, FLOAT, 32, 0.00392156862745098, 'range:0,1', 1.5",
    "Float32 0-1, FLOAT, 32, 0.00392156862745098, 'range:0,1', 1e30",
    "UInt16 x 8 (11 bits), UNSIGNED_INTEGER, 16, 8, bits:11, 4095",
    "UInt16 x 8 (11 bits), UNSIGNED_INTEGER, 16, 8, bits:11, 65535",
    "Int16 x 4 (10 bits), SIGNED_INTEGER, 16, 4, bits:10, -1",
    "Int8 (7 bits), SIGNED_INTEGER, 8, 0.5, bits:8, -128"
  })
  void aFewExtremePixelsNeverDecideTheRule(
      String name, SampleType.Kind kind, int bits, double factor, String rule, float outlier)
      throws Exception {
    int w = 256;
    int h = 160; // 122,880 values: 12 may be outliers, 4 pixels of 3 bands
    SampleType type = new SampleType(kind, bits, 0);
    DoubleUnaryOperator f =
        kind == SampleType.Kind.FLOAT ? v -> v * factor : v -> Math.floor(v * factor);
    long allowed = ValueScaling.outliers(3L * w * h);
    assertEquals(12, allowed);
    ValueScaling clean =
        ValueScaling.of(withOutliers(w, h, f, 0, 0), type, RGB, model, ScaleRule.AUTO);
    assertEquals(rule, clean.rule(), clean.reason());
    int most = (int) (allowed / 3);
    ValueScaling few =
        ValueScaling.of(withOutliers(w, h, f, most, outlier), type, RGB, model, ScaleRule.AUTO);
    assertEquals(rule, few.rule(), few.reason());
    assertTrue(few.reason().contains("(12 of 122880 outside"), few.reason());
    assertEquals(
        input(clean.scaling(), 1, f.applyAsDouble(77)),
        input(few.scaling(), 1, f.applyAsDouble(77)));
    ValueScaling more =
        ValueScaling.of(withOutliers(w, h, f, most + 1, outlier), type, RGB, model, ScaleRule.AUTO);
    // another rule (which may give the same range: the 99.9 % percentile of 0-1 data is near 1)
    assertTrue(
        !more.rule().equals(rule) || !decision(more).equals(decision(clean)),
        name + " " + outlier + ": " + more.reason());
    // Missing values never count, however many.
    for (float missing :
        new float[] {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY}) {
      ValueScaling s =
          ValueScaling.of(
              withOutliers(w, h, f, w * h / 2, missing), type, RGB, model, ScaleRule.AUTO);
      assertEquals(rule, s.rule(), missing + ": " + s.reason());
    }
  }

  /** The last clause of a reason: the rule's name in words. */
  static String decision(ValueScaling s) {
    return s.reason().substring(s.reason().lastIndexOf(", "));
  }

  @Test
  void extremeValuesDoNotMoveThePercentilesOfTheOthers() throws Exception {
    // reflectance 0-3333 with 1e30 in a few pixels: white stays near 3333
    SampleType float32 = new SampleType(SampleType.Kind.FLOAT, 32, 0);
    ValueScaling s =
        ValueScaling.of(
            withOutliers(256, 160, v -> v / 255.0 * 10000 / 3, 4, 1e30f),
            float32,
            RGB,
            model,
            ScaleRule.AUTO);
    assertTrue(s.rule().startsWith("range:0,"), s.reason());
    assertEquals(3333.3, s.high()[0], 10, s.reason());
    // and a 2-98 % stretch of data with negatives ignores -3e38 and 3e38
    ValueScaling stretch =
        ValueScaling.of(
            withOutliers(256, 160, v -> v - 100, 4, -3e38f), float32, RGB, model, ScaleRule.AUTO);
    assertTrue(stretch.low()[0] > -100 && stretch.high()[0] < 156, stretch.reason());
  }

  @Test
  void signedBytesGetTheRulesOfOtherSignedIntegers() throws Exception {
    SampleType int8 = new SampleType(SampleType.Kind.SIGNED_INTEGER, 8, 0);
    SampleType int16 = new SampleType(SampleType.Kind.SIGNED_INTEGER, 16, 0);
    ValueScaling halved =
        ValueScaling.of(encoded(v -> Math.floor(v / 2), null), int8, RGB, model, ScaleRule.AUTO);
    assertEquals("bits:8", halved.rule(), halved.reason());
    assertTrue(halved.reason().startsWith("auto: Int8 values 0 to 127"), halved.reason());
    ValueScaling shifted8 =
        ValueScaling.of(encoded(v -> v - 128, null), int8, RGB, model, ScaleRule.AUTO);
    ValueScaling shifted16 =
        ValueScaling.of(encoded(v -> v - 128, null), int16, RGB, model, ScaleRule.AUTO);
    assertEquals(shifted16.rule(), shifted8.rule());
    assertTrue(shifted8.rule().startsWith("range:-"), shifted8.reason());
  }

  @Test
  void explicitRulesAreAppliedAsGiven() throws Exception {
    RasterSource u16 = encoded(v -> v * 257, null);
    SampleType type = new SampleType(SampleType.Kind.UNSIGNED_INTEGER, 16, 0);
    assertEquals("bits:12", ValueScaling.of(u16, type, RGB, model, ScaleRule.bits(12)).rule());
    ValueScaling range = ValueScaling.of(u16, type, RGB, model, ScaleRule.parse("range:0,65535"));
    assertEquals("range:0,65535", range.rule());
    assertEquals(
        input(PixelScaling.fromBundle(model), 0, 200), input(range.scaling(), 0, 200 * 257), 1e-5);
    assertEquals("bundle", ValueScaling.of(u16, type, RGB, model, ScaleRule.BUNDLE).rule());
  }

  @Test
  void scaleRulesParseAndBadOnesSayWhatIsAccepted() {
    for (String text :
        List.of(
            "auto",
            "bundle",
            "bits:11",
            "range:0,10000",
            "range:-0.5,1.5",
            "percentile:2,98,joint",
            "percentile:0.5,99.5,per-band")) {
      assertEquals(text, ScaleRule.parse(text).toString());
    }
    assertEquals("percentile:2,98,joint", ScaleRule.parse(" Percentile:2,98 ").toString());
    assertEquals(ScaleRule.AUTO, ScaleRule.parse(null));
    for (String[] bad :
        new String[][] {
          {"bits:40", "bits must be 1 to 32, got 40"},
          {"bits:x", "bits takes one whole number"},
          {"range:5,5", "range needs LOW < HIGH"},
          {"range:0", "range takes two numbers"},
          {"range:0,abc", "'abc' is not a number"},
          {"percentile:2,120", "0 <= P1 < P2 <= 100"},
          {"percentile:2,98,both", "joint or per-band"},
          {"stretch", "unknown rule 'stretch'"},
          {"auto:1", "auto takes no values"}
        }) {
      InvalidOptionException e =
          assertThrows(InvalidOptionException.class, () -> ScaleRule.parse(bad[0]));
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
      assertTrue(e.messageFor("--scale").startsWith("--scale '" + bad[0] + "'"), e.getMessage());
      assertTrue(e.getMessage().endsWith("give " + ScaleRule.SYNTAX), e.getMessage());
    }
  }
}
