package org.diffris.geotools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.diffris.pipeline.BandRole;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.SampleType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a GeoTIFF says of its bands and samples, on files GDAL writes as users get them: RGB,
 * blue-green-red with its colour interpretation, RGBA, grey with alpha, 16-bit and float, and
 * packed 11-bit samples (refused with a way out). Needs GDAL's gdal_translate (Debian's gdal-bin).
 */
class TiffBandsTest {
  static final Path PORT = Path.of("..", "sample-data", "scenes", "port.tif");
  static final BandRole R = BandRole.RED;
  static final BandRole G = BandRole.GREEN;
  static final BandRole B = BandRole.BLUE;
  static final BandRole A = BandRole.ALPHA;
  static final BandRole O = BandRole.OTHER;

  @TempDir static Path dir;

  @BeforeAll
  static void needsGdal() {
    boolean found = false;
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      found |= Files.isExecutable(Path.of(d, "gdal_translate"));
    }
    assumeTrue(found, "gdal_translate not on PATH (Debian's gdal-bin)");
  }

  static Path translate(String name, String... options) throws Exception {
    Path out = dir.resolve(name);
    List<String> command = new ArrayList<>(List.of("gdal_translate", "-q", "-srcwin", "0", "0"));
    command.addAll(List.of("64", "64"));
    command.addAll(List.of(options));
    command.addAll(List.of(PORT.toString(), out.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, command + "\n" + text);
    return out;
  }

  static void assertRolesAndType(Path file, List<BandRole> roles, SampleType type) {
    try (GeoTiffRaster raster = GeoTiffRaster.open(file)) {
      assertEquals(roles, raster.input().bandRoles(), "fast path " + file.getFileName());
      assertEquals(type, raster.input().sampleType(), "fast path " + file.getFileName());
    }
    try (GeoTiffRaster raster = GeoTiffRaster.openWithGeoTools(file)) {
      assertEquals(roles, raster.input().bandRoles(), "GeoTools " + file.getFileName());
      assertEquals(type, raster.input().sampleType(), "GeoTools " + file.getFileName());
    }
  }

  @Test
  void colourInterpretationAndAlphaAreRead() throws Exception {
    SampleType uint16 = new SampleType(SampleType.Kind.UNSIGNED_INTEGER, 16, 0);
    SampleType float32 = new SampleType(SampleType.Kind.FLOAT, 32, 0);
    assertRolesAndType(translate("rgb.tif"), List.of(R, G, B), SampleType.BYTE);
    assertRolesAndType(
        translate("bgr.tif", "-b", "3", "-b", "2", "-b", "1", "-colorinterp", "blue,green,red"),
        List.of(B, G, R),
        SampleType.BYTE);
    assertRolesAndType(
        translate(
            "rgba.tif",
            "-b",
            "1",
            "-b",
            "2",
            "-b",
            "3",
            "-b",
            "1",
            "-colorinterp",
            "red,green,blue,alpha"),
        List.of(R, G, B, A),
        SampleType.BYTE);
    assertRolesAndType(
        translate(
            "bgrn.tif",
            "-b",
            "3",
            "-b",
            "2",
            "-b",
            "1",
            "-b",
            "1",
            "-colorinterp",
            "blue,green,red,undefined"),
        List.of(B, G, R, O),
        SampleType.BYTE);
    assertRolesAndType(
        translate("grey-alpha.tif", "-b", "1", "-b", "2", "-colorinterp", "gray,alpha"),
        List.of(O, A),
        SampleType.BYTE);
    assertRolesAndType(
        translate("u16.tif", "-ot", "UInt16", "-scale", "0", "255", "0", "65535"),
        List.of(R, G, B),
        uint16);
    assertRolesAndType(
        translate("f32.tif", "-ot", "Float32", "-scale", "0", "255", "0", "1"),
        List.of(R, G, B),
        float32);
    // a single grey band says nothing useful
    assertRolesAndType(
        translate("grey.tif", "-b", "1", "-colorinterp", "gray"), List.of(), SampleType.BYTE);
  }

  @Test
  void packedSamplesAreDecodedInEveryLayout() throws Exception {
    // The reference: the scene x 8 (11 significant bits) in plain 16-bit samples.
    Path plain = translate("u16x8.tif", "-ot", "UInt16", "-scale", "0", "255", "0", "2040");
    float[] expected = read(plain);
    String[][] layouts = {
      {"11", "NONE", "PIXEL", "NO"},
      {"12", "DEFLATE", "PIXEL", "YES"},
      {"11", "LZW", "BAND", "NO"},
      {"13", "PACKBITS", "PIXEL", "YES"},
      {"11", "LZW", "PIXEL", "YES"}
    };
    for (String[] l : layouts) {
      Path packed = dir.resolve("nbits" + String.join("-", l) + ".tif");
      run(
          "gdal_translate",
          "-q",
          "-co",
          "NBITS=" + l[0],
          "-co",
          "COMPRESS=" + l[1],
          "-co",
          "INTERLEAVE=" + l[2],
          "-co",
          "TILED=" + l[3],
          "-co",
          "BLOCKXSIZE=32",
          "-co",
          "BLOCKYSIZE=16",
          plain.toString(),
          packed.toString());
      String name = String.join(" ", l);
      org.junit.jupiter.api.Assertions.assertArrayEquals(expected, read(packed), name);
      for (boolean geoTools : new boolean[] {false, true}) {
        try (GeoTiffRaster raster =
            geoTools ? GeoTiffRaster.openWithGeoTools(packed) : GeoTiffRaster.open(packed)) {
          assertEquals(
              new SampleType(SampleType.Kind.UNSIGNED_INTEGER, 16, Integer.parseInt(l[0])),
              raster.input().sampleType(),
              name);
          assertEquals(List.of(R, G, B), raster.input().bandRoles(), name);
        }
      }
    }
  }

  @Test
  void aPackedLayoutTheGeoTiffReaderCannotOpenIsRefusedWithAWayOut() throws Exception {
    Path plain = translate("u16x8c.tif", "-ot", "UInt16", "-scale", "0", "255", "0", "2040");
    Path oneBand = dir.resolve("one-band-nbits.tif");
    run("gdal_translate", "-q", "-b", "1", "-co", "NBITS=11", plain.toString(), oneBand.toString());
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GeoTiffRaster.open(oneBand));
    assertTrue(e.getMessage().startsWith("raster stores 11-bit samples packed"), e.getMessage());
    assertTrue(e.getMessage().endsWith("(gdal_translate -co NBITS=16 IN.tif OUT.tif)"));
  }

  @Test
  void aDamagedPackedBlockIsAnErrorNotZeros() throws Exception {
    Path plain = translate("u16x8b.tif", "-ot", "UInt16", "-scale", "0", "255", "0", "2040");
    Path packed = dir.resolve("damaged.tif");
    run(
        "gdal_translate",
        "-q",
        "-co",
        "NBITS=11",
        "-co",
        "COMPRESS=DEFLATE",
        plain.toString(),
        packed.toString());
    // Overwrite the middle of the compressed data with zeros: the Deflate stream breaks.
    byte[] bytes = Files.readAllBytes(packed);
    java.util.Arrays.fill(bytes, bytes.length / 2, bytes.length / 2 + 64, (byte) 0x55);
    Files.write(packed, bytes);
    try (GeoTiffRaster raster = GeoTiffRaster.open(packed)) {
      java.io.IOException e =
          assertThrows(java.io.IOException.class, () -> raster.readRows(0, raster.height()));
      assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }
  }

  static float[] read(Path file) throws Exception {
    try (GeoTiffRaster raster = GeoTiffRaster.open(file)) {
      java.awt.image.Raster rows = raster.readRows(0, raster.height());
      float[] all = new float[raster.width() * raster.height() * raster.bandCount()];
      return rows.getPixels(rows.getMinX(), rows.getMinY(), raster.width(), raster.height(), all);
    }
  }

  static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, List.of(command) + text);
  }
}
