package org.diffris.spark;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.diffris.output.OutputPlaces;

/**
 * The job's inputs and outputs as places on their file systems, checked with the rule every host
 * applies ({@link OutputPlaces}): no output is, holds or lies inside a raster, the raster list or
 * the model bundle, and no two outputs are one place or nest.
 */
final class JobPlaces {
  private JobPlaces() {}

  /**
   * @throws IllegalArgumentException naming the two places that meet
   */
  static void check(
      List<String> sources,
      String rasterList,
      String model,
      SegmentJob.Outputs outputs,
      Configuration conf)
      throws IOException {
    check(sources, rasterList, model, null, outputs, conf);
  }

  /**
   * As {@link #check(List, String, String, SegmentJob.Outputs, Configuration)}, with the file
   * of the job's roi ({@code --roi}) as an input too, when it has one.
   */
  static void check(
      List<String> sources,
      String rasterList,
      String model,
      String roiFile,
      SegmentJob.Outputs outputs,
      Configuration conf)
      throws IOException {
    List<OutputPlaces.Place> inputs = new ArrayList<>();
    if (roiFile != null) {
      inputs.add(OutputPlaces.local("--roi", java.nio.file.Path.of(roiFile)));
    }
    for (String source : sources) {
      inputs.add(place("--rasters", source, conf));
    }
    if (rasterList != null) {
      inputs.add(place("--raster-list", rasterList, conf));
    }
    java.nio.file.Path bundle = modelOnThisMachine(model);
    if (bundle != null) {
      inputs.add(OutputPlaces.local("--model", bundle));
    }
    List<OutputPlaces.Place> written = new ArrayList<>();
    written.add(place("--out", outputs.out(), conf));
    written.add(place("--failures", outputs.failures(), conf));
    if (outputs.gpkg() != null) {
      written.add(OutputPlaces.local("--gpkg", outputs.gpkg()));
    }
    try {
      OutputPlaces.check(inputs, written);
    } catch (OutputPlaces.RefusedException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** A name on a Hadoop file system as a place: this machine's files as files, others by name. */
  static OutputPlaces.Place place(String option, String name, Configuration conf)
      throws IOException {
    Path p = new Path(name);
    FileSystem fs = p.getFileSystem(conf);
    URI uri = fs.makeQualified(p).toUri();
    if ("file".equals(uri.getScheme())) {
      return new OutputPlaces.Place(option, name, null, java.nio.file.Path.of(uri.getPath()));
    }
    String authority = uri.getAuthority() == null ? "" : uri.getAuthority();
    return OutputPlaces.remote(option, name, uri.getScheme() + "://" + authority, uri.getPath());
  }

  /**
   * The bundle when the driver sees it as a path (the embedded one included); null for a name
   * shipped with {@code --files}, which only executors see.
   */
  private static java.nio.file.Path modelOnThisMachine(String model) {
    try {
      java.nio.file.Path bundle = ExecutorModels.bundleLocation(model);
      return Files.exists(bundle) ? bundle : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
