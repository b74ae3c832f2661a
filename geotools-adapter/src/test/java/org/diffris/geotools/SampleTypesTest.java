package org.diffris.geotools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.SampleType;
import org.diffris.pipeline.SampleType.Kind;
import org.diffris.vectorizer.MaskVectorizer;
import org.diffris.vectorizer.VectorizerOptions;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.grid.GridCoverageFactory;
import org.geotools.gce.geotiff.GeoTiffReader;
import org.geotools.image.ImageWorker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * Every sample type GDAL writes reaches the pipeline as the values it stores (-100 stays -100),
 * with its own sample type, on every way in (the fast path, GeoTools' reader, and a GeoTools
 * coverage as GeoServer hands one to the WPS process); masks are compared in their own precision. Fixtures are written by gdal_calc.py (Debian's gdal-bin).
 */
class SampleTypesTest {
  @TempDir static Path dir;

  @BeforeAll
  static void needsGdal() {
    GdalFixtures.assumeGdal();
  }

  /**
   * Name, GDAL type, the values written (as GDAL reads them back), the sample type, extra
   * gdal_calc.py options. A signed byte is written as its two's-complement byte with GDAL 3.6's
   * PIXELTYPE=SIGNEDBYTE (which tags the band SampleFormat=2 and writes the bytes as given).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "Byte; Byte; 0, 1, 127, 128, 254, 255; UNSIGNED_INTEGER 8; ",
        "Int8; Byte; -128, -100, -1, 0, 1, 100, 127; SIGNED_INTEGER 8; --co=PIXELTYPE=SIGNEDBYTE",
        "UInt16; UInt16; 0, 1, 32768, 65534, 65535; UNSIGNED_INTEGER 16; ",
        "Int16; Int16; -32768, -100, -1, 0, 1, 32767; SIGNED_INTEGER 16; ",
        "UInt32; UInt32; 0, 1, 2147483647, 2147483648, 3000000000, 4294967295; UNSIGNED_INTEGER"
            + " 32; ",
        "Int32; Int32; -2147483648, -100, -1, 0, 1, 2147483647; SIGNED_INTEGER 32; ",
        "Float16; Float32; -65504, -100.5, -0.00006103515625, 0, 0.000000059604644775390625, 0.5, 1, 65504;"
            + " FLOAT 16; --co=NBITS=16",
        "Float32; Float32; -3.4028234663852886e38, -100.5, -1e-40, 0, 1e-40, 0.5, 3.4e38; FLOAT"
            + " 32; ",
        "Float64; Float64; -1e300, -100.5, 1e-46, 0.49999999999, 0.5, 1e300; FLOAT 64; "
      })
  void everyTypeIsReadAsTheValuesItStores(
      String name, String gdalType, String values, String type, String option) throws Exception {
    String[] extra = option == null ? new String[0] : new String[] {option};
    String written = values;
    if (name.equals("Int8")) {
      // the bytes that hold these signed values
      written =
          Arrays.stream(values.split(","))
              .map(v -> String.valueOf(Integer.parseInt(v.strip()) & 0xff))
              .reduce((a, b) -> a + "," + b)
              .orElseThrow();
    }
    Path file = GdalFixtures.ofValues(dir, name + ".tif", gdalType, written, extra);
    String[] t = type.split(" ");
    SampleType sampleType = new SampleType(Kind.valueOf(t[0]), Integer.parseInt(t[1]), 0);
    double[] expected = repeated(values);
    if (sampleType.kind() == Kind.FLOAT && sampleType.bits() <= 32) {
      for (int i = 0; i < expected.length; i++) {
        expected[i] = (float) expected[i]; // as GDAL stores them
      }
    }
    for (boolean geoTools : new boolean[] {false, true}) {
      try (GeoTiffRaster raster =
          geoTools ? GeoTiffRaster.openWithGeoTools(file) : GeoTiffRaster.open(file)) {
        String how = name + (geoTools ? " through GeoTools" : " on the fast path");
        Raster rows = raster.readRows(0, 8);
        double[] read = rows.getSamples(rows.getMinX(), rows.getMinY(), 8, 8, 0, (double[]) null);
        assertArrayEquals(expected, read, how);
        assertPipelineReads(expected, sampleType, raster.input(), how);
      }
    }
    // The WPS way in: GeoTools' coverage of the file, as GeoServer hands a published one over.
    GeoTiffReader reader = new GeoTiffReader(file.toFile());
    try {
      CoverageRaster coverage = CoverageRaster.of(reader.read(null));
      assertPipelineReads(
          expected, sampleType, coverage.input(coverage.all()), name + " as a coverage");
    } finally {
      reader.dispose();
    }
  }

  /**
   * What the pipeline reads: the values as floats, and their sample type. A Float64 beyond the
   * floats' range (1e300) is no imagery value and reads as missing, as infinities do.
   */
  static void assertPipelineReads(
      double[] expected, SampleType sampleType, RasterInput input, String how) throws Exception {
    assertEquals(sampleType, input.sampleType(), how);
    float[] floats = new float[64];
    input.source().read(0, 0, 8, 8, new int[] {0}, floats);
    for (int i = 0; i < 64; i++) {
      float f = (float) expected[i];
      assertEquals(Float.isInfinite(f) ? Float.NaN : f, floats[i], how + " pixel " + i);
    }
  }

  /**
   * A coverage whose stand-in samples were already converted (here to 64-bit floats, as a
   * GeoServer operation may) cannot be told back into values: refused, with the copy to publish.
   */
  @Test
  void aCoverageOfConvertedStandInSamplesIsRefusedWithAWayOut() throws Exception {
    Path file =
        GdalFixtures.ofValues(
            dir, "int8-converted.tif", "Byte", "156", "--co=PIXELTYPE=SIGNEDBYTE");
    GeoTiffReader reader = new GeoTiffReader(file.toFile());
    try {
      GridCoverage2D read = reader.read(null);
      RenderedImage converted =
          new ImageWorker(read.getRenderedImage())
              .format(DataBuffer.TYPE_DOUBLE)
              .getRenderedImage();
      GridCoverage2D coverage =
          new GridCoverageFactory().create("converted", converted, read.getEnvelope());
      InvalidInputException e =
          assertThrows(InvalidInputException.class, () -> CoverageRaster.of(coverage));
      assertTrue(
          e.getMessage()
              .startsWith(
                  "the coverage stores signed 8-bit samples (GDAL's Int8), which reach this"
                      + " process already converted to 64-bit floats"),
          e.getMessage());
      assertTrue(
          e.getMessage().contains("gdal_translate -ot Int16 IN.tif OUT.tif"), e.getMessage());
    } finally {
      reader.dispose();
    }
  }

  @Test
  void aCoverageOfFilesStoredInDifferentTypesIsRefused() throws Exception {
    Path int8 =
        GdalFixtures.ofValues(dir, "mix-int8.tif", "Byte", "1", "--co=PIXELTYPE=SIGNEDBYTE");
    Path bytes = GdalFixtures.ofValues(dir, "mix-byte.tif", "Byte", "1");
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> StoredSamples.ofCoverage(List.of(int8, bytes), DataBuffer.TYPE_BYTE));
    assertTrue(
        e.getMessage()
            .startsWith("the coverage is read from 2 files, some storing signed 8-bit samples"),
        e.getMessage());
    // Files of one type need no agreement beyond it.
    assertEquals(
        new SampleType(Kind.SIGNED_INTEGER, 8, 0),
        StoredSamples.ofCoverage(List.of(int8, int8), DataBuffer.TYPE_BYTE).sampleType());
    assertEquals(null, StoredSamples.ofCoverage(List.of(bytes), DataBuffer.TYPE_BYTE).sampleType());
  }

  static double[] repeated(String values) {
    double[] v = Arrays.stream(values.split(",")).mapToDouble(Double::parseDouble).toArray();
    double[] all = new double[64];
    for (int i = 0; i < 64; i++) {
      all[i] = v[i % v.length];
    }
    return all;
  }

  @Test
  void sixtyFourBitIntegersAreRefusedAtOpenWithAWayOut() throws Exception {
    for (String type : new String[] {"Int64", "UInt64"}) {
      Path file = GdalFixtures.ofValues(dir, type + ".tif", type, "0, 1, 2**40");
      InvalidInputException e =
          assertThrows(InvalidInputException.class, () -> GeoTiffRaster.open(file).close());
      assertTrue(
          e.getMessage().startsWith("raster stores 64-bit integer samples (GDAL's " + type + ")"),
          e.getMessage());
      assertTrue(e.getMessage().contains("gdal_translate -ot Float64 IN.tif OUT.tif"));
    }
  }

  @Test
  void halfFloatsConvertExactly() {
    assertEquals(0f, StoredSamples.halfToFloat(0));
    assertEquals(-0f, StoredSamples.halfToFloat(0x8000));
    assertEquals(1f, StoredSamples.halfToFloat(0x3c00));
    assertEquals(-2f, StoredSamples.halfToFloat(0xc000));
    assertEquals(65504f, StoredSamples.halfToFloat(0x7bff));
    assertEquals(0x1p-24f, StoredSamples.halfToFloat(1)); // smallest subnormal
    assertEquals(0x1p-14f, StoredSamples.halfToFloat(0x0400)); // smallest normal
    assertEquals(Float.POSITIVE_INFINITY, StoredSamples.halfToFloat(0x7c00));
    assertTrue(Float.isNaN(StoredSamples.halfToFloat(0x7e00)));
  }

  /**
   * The pixels of band 1 of {@code file} in the mask, read as {@code diffris vectorize} reads it:
   * binary without a threshold, else probabilities at or above it.
   */
  static long in(Path file, Double threshold) throws Exception {
    try (GeoTiffRaster raster = GeoTiffRaster.open(file)) {
      MaskReader reader = new MaskReader(raster, 1);
      VectorizerOptions.Builder options = VectorizerOptions.builder();
      if (threshold != null) {
        options.threshold(reader.thresholdAtSamplePrecision(threshold));
      }
      long[] pixels = {0};
      MaskVectorizer vectorizer =
          new MaskVectorizer(
              raster.width(),
              raster.height(),
              raster.pixelToWorld(),
              options.build(),
              new GeometryFactory(),
              region -> pixels[0] += region.pixelCount());
      try (RowBandReader bands = new RowBandReader(reader, threshold)) {
        while (bands.hasNext()) {
          vectorizer.accept(bands.next());
        }
      }
      vectorizer.finish();
      return pixels[0];
    }
  }

  /**
   * Masks of every type, 8 x 8 pixels repeating four values across each row (16 pixels a value),
   * read as binary masks (non-zero, non-nodata pixels) and with thresholds, compared in their own
   * precision.
   */
  @Test
  void masksAreComparedInTheirOwnPrecision() throws Exception {
    Path f64 = GdalFixtures.ofValues(dir, "m64.tif", "Float64", "0, 0.49999999999, 0.5, 1e-46");
    assertEquals(16, in(f64, 0.5), "Float64: 0.49999999999 is below 0.5");
    assertEquals(48, in(f64, null), "Float64: 1e-46 is not zero");
    assertEquals(48, in(f64, 1e-46), "Float64: 0 is below 1e-46, the rest is not");
    Path f32 = GdalFixtures.ofValues(dir, "m32.tif", "Float32", "0, 0.8999999, 0.9, 1");
    assertEquals(32, in(f32, 0.9), "Float32: the float nearest 0.9 counts as 0.9");
    Path i16 = GdalFixtures.ofValues(dir, "m16.tif", "Int16", "-1, 0, 1, 2");
    assertEquals(32, in(i16, 0.5), "Int16: -1 is below");
    assertEquals(48, in(i16, null), "Int16: -1 is not zero");
    // -1, 0, 1, -128 as signed bytes
    Path i8 =
        GdalFixtures.ofValues(dir, "m8.tif", "Byte", "255, 0, 1, 128", "--co=PIXELTYPE=SIGNEDBYTE");
    assertEquals(16, in(i8, 0.5), "Int8: -1 and -128 are below 0.5");
    assertEquals(48, in(i8, null));
    Path u32 =
        GdalFixtures.ofValues(
            dir, "mu32.tif", "UInt32", "4294967295, 4294967294, 0, 1", "--NoDataValue=4294967295");
    assertEquals(32, in(u32, null), "UInt32: 4294967295 is nodata, 4294967294 is not");
    assertEquals(32, in(u32, 0.5));
  }
}
