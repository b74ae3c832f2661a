package org.diffris.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkEnv;
import scala.Tuple2;

/**
 * Rasters as Spark sees them: listed on the driver through Hadoop's file systems (local, HDFS,
 * object stores), opened on executors as local files. A raster on a remote file system is copied
 * once per executor JVM to its local disk (the GeoTIFF reader needs random access), and the copy
 * deleted when the JVM exits.
 */
final class RasterFiles {
  private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

  private RasterFiles() {}

  /**
   * The GeoTIFFs named by {@code patterns}: files, folders (their {@code .tif} and {@code .tiff}
   * files) and globs, sorted, each once. A name that exists is taken as it is, whatever characters
   * it holds ({@code x[1].tif}, {@code a,b.tif}); only one that does not is read as a glob, then
   * as names separated by commas.
   *
   * @throws IllegalArgumentException naming a pattern that matches nothing
   */
  static List<String> list(List<String> patterns, Configuration conf) throws IOException {
    TreeSet<String> found = new TreeSet<>();
    for (String pattern : patterns) {
      add(pattern, found, conf);
    }
    return new ArrayList<>(found);
  }

  private static void add(String pattern, TreeSet<String> found, Configuration conf)
      throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(pattern);
    FileSystem fs = p.getFileSystem(conf);
    FileStatus[] matches = fs.exists(p) ? new FileStatus[] {fs.getFileStatus(p)} : fs.globStatus(p);
    if (matches == null || matches.length == 0) {
      if (pattern.contains(",")) {
        for (String part : pattern.split(",")) {
          if (!part.isBlank()) {
            add(part.strip(), found, conf);
          }
        }
        return;
      }
      throw new IllegalArgumentException(pattern + ": no such file, folder or matching files");
    }
    boolean any = false;
    for (FileStatus match : matches) {
      if (match.isDirectory()) {
        for (FileStatus child : fs.listStatus(match.getPath())) {
          if (child.isFile() && isGeoTiff(child.getPath().getName())) {
            found.add(child.getPath().toString());
            any = true;
          }
        }
      } else {
        found.add(match.getPath().toString());
        any = true;
      }
    }
    if (!any) {
      throw new IllegalArgumentException(pattern + ": no .tif or .tiff file there");
    }
  }

  /**
   * The rasters a list file names, one per line (blank lines and {@code #} comments skipped).
   *
   * @throws IllegalArgumentException when the list is missing or names nothing
   */
  static List<String> readList(String listFile, Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(listFile);
    FileSystem fs = p.getFileSystem(conf);
    if (!fs.exists(p)) {
      throw new IllegalArgumentException("--raster-list " + listFile + ": no such file");
    }
    List<String> names = new ArrayList<>();
    try (java.io.BufferedReader in =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(fs.open(p), java.nio.charset.StandardCharsets.UTF_8))) {
      boolean first = true;
      for (String line = in.readLine(); line != null; line = in.readLine(), first = false) {
        // A byte order mark (Windows editors write one) is not part of the first name.
        String name = (first && line.startsWith("\uFEFF") ? line.substring(1) : line).strip();
        if (!name.isEmpty() && !name.startsWith("#")) {
          names.add(name);
        }
      }
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("--raster-list " + listFile + " names no raster");
    }
    return names;
  }

  private static boolean isGeoTiff(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".tif") || n.endsWith(".tiff");
  }

  /** A local path for a listed raster, copying it here first when it is on a remote system. */
  static Path local(String raster) {
    // Hadoop's reading of the name: spaces, # and brackets are characters of the name, not URI
    // syntax.
    URI uri = new org.apache.hadoop.fs.Path(raster).toUri();
    if (uri.getScheme() == null || uri.getScheme().equals("file")) {
      return Path.of(uri.getPath());
    }
    return COPIES.computeIfAbsent(raster, RasterFiles::copy);
  }

  private static Path copy(String raster) {
    try {
      Path dir = Files.createTempDirectory("diffris-raster");
      Path local = dir.resolve(new org.apache.hadoop.fs.Path(raster).getName());
      org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(raster);
      remote
          .getFileSystem(executorConf())
          .copyToLocalFile(false, remote, new org.apache.hadoop.fs.Path(local.toUri()), true);
      local.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return local;
    } catch (IOException e) {
      throw new UncheckedIOException("copying " + raster + " to the executor failed", e);
    }
  }

  /** Hadoop settings on an executor: the defaults plus the job's {@code spark.hadoop.*}. */
  private static Configuration executorConf() {
    Configuration conf = new Configuration();
    SparkEnv env = SparkEnv.get();
    if (env != null) {
      for (Tuple2<String, String> kv : env.conf().getAll()) {
        if (kv._1().startsWith("spark.hadoop.")) {
          conf.set(kv._1().substring("spark.hadoop.".length()), kv._2());
        }
      }
    }
    return conf;
  }
}
