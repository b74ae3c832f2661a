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
    return listed.stream().map(s -> new org.apache.hadoop.fs.Path(s).getName()).toList();
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

  /**
   * A file that exists is found whatever its name: glob characters, spaces, {@code #}, commas,
   * non-ASCII letters; listed from a folder, by name or from a list file with a byte order mark.
   */
  @Test
  void aFileThatExistsIsFoundWhateverItsName() throws Exception {
    Path odd = Files.createDirectories(dir.resolve("odd names"));
    List<String> names =
        List.of(
            "x[1].tif", "sp ace.tif", "hash#1.tif", "a,b.tif", "q?.tif", "{c}.tif", "ö %20.tif");
    for (String name : names) {
      Files.writeString(odd.resolve(name), name);
    }
    List<String> sorted = names.stream().sorted().toList();
    assertEquals(sorted, names(RasterFiles.list(List.of(odd.toString()), conf)));
    List<String> byName = names.stream().map(n -> odd.resolve(n).toString()).toList();
    List<String> listed = RasterFiles.list(byName, conf);
    assertEquals(sorted, names(listed));
    for (String s : listed) {
      Path local = RasterFiles.local(s);
      assertEquals(local.getFileName().toString(), Files.readString(local), "the file itself");
    }
    Path list = dir.resolve("list.txt");
    Files.write(
        list,
        ("\uFEFF" + String.join("\r\n", byName) + "\r\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(byName, RasterFiles.readList(list.toString(), conf));
    // Names that do not exist are still globs and comma-separated lists.
    assertEquals(
        List.of("hash#1.tif", "sp ace.tif"),
        names(
            RasterFiles.list(
                List.of(odd.resolve("sp ace.tif") + "," + odd.resolve("hash#1.tif")), conf)));
    assertEquals(List.of("x[1].tif"), names(RasterFiles.list(List.of(odd + "/x?1?.tif"), conf)));
  }
}
