package org.diffris.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which rasters a job's --rasters and --raster-list name, through Hadoop's local file system. */
class RasterFilesTest {
  @TempDir Path dir;
  private final Configuration conf = new Configuration();

  private List<String> names(List<String> listed) {
    return listed.stream()
        .map(s -> Path.of(java.net.URI.create(s).getPath()).getFileName().toString())
        .toList();
  }

  @Test
  void filesFoldersAndGlobsAreListedSortedAndOnce() throws Exception {
    Path a = Files.createDirectories(dir.resolve("a"));
    for (String name : List.of("2.tif", "1.TIFF", "notes.txt", "3.tif.aux.xml")) {
      Files.writeString(a.resolve(name), "x");
    }
    Files.createDirectories(a.resolve("sub.tif"));
    List<String> listed =
        RasterFiles.list(
            List.of(a.toString(), a.resolve("2.tif").toString(), dir + "/a/*.tif"), conf);
    assertEquals(List.of("1.TIFF", "2.tif"), names(listed));
    listed.forEach(s -> assertTrue(Files.isRegularFile(RasterFiles.local(s)), s));
  }

  @Test
  void aPatternThatMatchesNothingOrNoGeoTiffIsRefusedByName() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Files.writeString(empty.resolve("readme.md"), "x");
    IllegalArgumentException none =
        assertThrows(
            IllegalArgumentException.class,
            () -> RasterFiles.list(List.of(dir + "/missing/*.tif"), conf));
    assertTrue(none.getMessage().contains("missing"), none.getMessage());
    IllegalArgumentException noTiff =
        assertThrows(
            IllegalArgumentException.class,
            () -> RasterFiles.list(List.of(empty.toString()), conf));
    assertTrue(noTiff.getMessage().contains("no .tif or .tiff file"), noTiff.getMessage());
  }

  @Test
  void aListFileNamesOneRasterPerLineSkippingCommentsAndBlanks() throws Exception {
    Path list = dir.resolve("rasters.txt");
    Files.writeString(list, "# orthophotos 2026\n/data/a.tif\n\n  s3a://bucket/b.tif  \n");
    assertEquals(
        List.of("/data/a.tif", "s3a://bucket/b.tif"), RasterFiles.readList(list.toString(), conf));
    Files.writeString(list, "# nothing\n\n");
    assertThrows(IllegalArgumentException.class, () -> RasterFiles.readList(list.toString(), conf));
    assertThrows(
        IllegalArgumentException.class,
        () -> RasterFiles.readList(dir.resolve("absent.txt").toString(), conf));
  }
}
