package org.diffris.spark;

import java.io.Serializable;
import java.util.List;
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
    int windowSide)
    implements Serializable {

  JobOptions {
    queries = List.copyOf(queries);
  }

  /**
   * The pipeline's options for one query; {@code scaleRule} replaces the user's rule once the
   * raster's plan has resolved it, so that windows need no statistics pass of their own.
   */
  SegmentOptions segmentOptions(String query, String scaleRule) {
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
    return b.build();
  }
}
