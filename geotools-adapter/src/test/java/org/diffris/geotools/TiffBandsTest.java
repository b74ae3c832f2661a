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
  void packedElevenBitSamplesAreRefusedWithAWayOut() throws Exception {
    Path packed = translate("u11.tif", "-ot", "UInt16", "-co", "NBITS=11");
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GeoTiffRaster.open(packed));
    assertTrue(e.getMessage().startsWith("raster stores 11-bit samples packed"), e.getMessage());
    assertTrue(e.getMessage().contains("gdal_translate -co NBITS=16 IN.tif OUT.tif"));
    assertThrows(InvalidInputException.class, () -> GeoTiffRaster.openWithGeoTools(packed));
  }
}
