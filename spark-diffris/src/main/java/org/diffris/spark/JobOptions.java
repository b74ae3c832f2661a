package org.diffris.spark;

import java.io.Serializable;
import java.util.List;
import org.diffris.output.RoiArgument;
import org.diffris.pipeline.SegmentOptions;

/**
 * What a Spark job asks of every raster, as the driver parsed it and every task receives it:
 * the queries and the options of {@code diffris segment}, with the same names and defaults.
 *
 * @param queries what to find, one pass over the imagery for all of them
 * @param model the bundle: a path every executor can read, or the name of a file shipped with
 *     {@code --files}; null for the embedded bundle
 * @param device where the model runs ({@code auto}, {@code cpu}, {@code cuda[:N]})
 * @param windowSide the side of a window's core, raster pixels
 * @param roi the area of interest, read once on the driver ({@code --roi}), or null
 */
record JobOptions(
    List<String> queries,
    String model,
    String device,
    Double threshold,
    String bands,
    Integer tile,
    Integer overlap,
    int batch,
    String scale,
    Double minArea,
    Long maxPixels,
    int windowSide,
    RoiArgument roi)
    implements Serializable {

  JobOptions {
    queries = List.copyOf(queries);
  }

  /** A job without an area of interest. */
  JobOptions(
      List<String> queries,
      String model,
      String device,
      Double threshold,
      String bands,
      Integer tile,
      Integer overlap,
      int batch,
      String scale,
      Double minArea,
      Long maxPixels,
      int windowSide) {
    this(
        queries,
        model,
        device,
        threshold,
        bands,
        tile,
        overlap,
        batch,
        scale,
        minArea,
        maxPixels,
        windowSide,
        null);
  }

  /**
   * The pipeline's options for one query; {@code scaleRule} replaces the user's rule once the
   * raster's plan has resolved it, so that windows need no statistics pass of their own.
   */
  SegmentOptions segmentOptions(String query, String scaleRule) {
    return segmentOptionsBuilder(query, scaleRule).build();
  }

  /** As {@link #segmentOptions}, to be completed (a raster's region of interest). */
  SegmentOptions.Builder segmentOptionsBuilder(String query, String scaleRule) {
    SegmentOptions.Builder b =
        SegmentOptions.builder(query)
            .threshold(threshold)
            .bands(bands)
            .tileSize(tile)
            .overlap(overlap)
            .batchSize(batch)
            .scale(scaleRule != null ? scaleRule : scale)
            .minArea(minArea);
    if (maxPixels != null) {
      b.maxPixels(maxPixels);
    }
    return b;
  }
}
