package org.diffris.pipeline;

import org.diffris.runtime.tiling.InferenceSummary;

/**
 * What one job did, for the host's report.
 *
 * @param inference the tiled run: tiles, time in the model and in total, resampling, provider
 * @param regions regions handed to the sink
 * @param regionsAtEdge those of them within the edge margin ({@link SegmentationPlan#edgeMargin})
 * @param areaSquareMetres their total area
 * @param threshold the probability threshold used
 * @param readingNanos time spent reading the raster's pixels (on the tiler's read-ahead thread,
 *     so partly at the same time as the model)
 * @param vectorizingNanos time spent turning the probabilities into regions and handing them to
 *     the sink (the sink's own writing included)
 */
public record SegmentationSummary(
    InferenceSummary inference,
    int regions,
    int regionsAtEdge,
    double areaSquareMetres,
    double threshold,
    long readingNanos,
    long vectorizingNanos) {}
