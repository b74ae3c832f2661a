package org.diffris.vectorizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.locationtech.jts.coverage.CoverageSimplifier;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * Streaming mask-to-polygon engine: feed {@link MaskBand}s top to bottom with {@link #accept},
 * then call {@link #finish()} once.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>One region per connected component of in-pixels ({@link Connectivity#FOUR} or
 *       {@link Connectivity#EIGHT}), holes included. Edges lie exactly on pixel boundaries,
 *       vertices only at pixel corners, no collinear vertices (without simplification).</li>
 *   <li>Every geometry is valid under JTS {@code IsValidOp} defaults and normalized. Where two
 *       in-pixels of a region meet only at a corner, the boundary passes through that corner
 *       twice and the rings touch there at a single point (a hole may touch the shell or another
 *       hole). At {@code EIGHT}, a region whose pixels are joined only through corners has a
 *       disconnected interior, which no valid Polygon can hold: it is returned as a
 *       {@code MultiPolygon} of its edge-connected parts, which touch at points; every other
 *       region is a {@code Polygon}.</li>
 *   <li>Coordinates go through the full affine {@link PixelToWorld} (rotation and shear
 *       included); the geometry factory supplies the SRID and coordinate sequences (use a packed
 *       coordinate sequence factory for very large outputs).</li>
 *   <li>Streaming: memory is bounded by the runs of two rows plus the regions not yet complete
 *       (and the kept output), never by the raster height. A region is complete, and converted,
 *       as soon as a row has no pixel in it. The result is identical for every band split.</li>
 *   <li>Output order: largest area first, ties by first pixel in row-major order. Filters
 *       (minimum area, maximum number of features) apply before simplification; simplification
 *       ({@link CoverageSimplifier}) treats all kept regions as one coverage, so neighbours never
 *       start to overlap, and keeps every part and hole; it does not change pixel counts, areas
 *       or mean probabilities.</li>
 * </ul>
 *
 * <p>Every region goes to a {@link RegionSink}. The vectorizer picks its mode from the options:
 * when none of {@code maxFeatures}, simplification or {@code largestFirst} asks for every region
 * at once, each region goes to the sink as soon as it is complete (regions completing on the
 * same row in first-pixel order), so even millions of regions (a salt-and-pepper mask) never sit
 * in memory together; otherwise the kept regions are held and go to the sink in output order
 * during {@link #finish()}.
 *
 * <p>Cost: linear in pixels for run extraction, plus {@code O(runs)} union-find and boundary
 * linking per row; no per-pixel objects. Not thread-safe; one instance per raster.
 */
public final class MaskVectorizer {

  private final int width;
  private final int height;
  private final VectorizerOptions options;
  private final WorldGeometryBuilder builder;
  private final double planarPixelSquareMetres;

  private final ComponentLabeler labeler;
  private final BoundaryTracer tracer;
  private final RegionCollector collector;
  private RowRuns prev;
  private RowRuns cur;
  private final BoundaryTracer.RingSink ringSink;
  private final ComponentLabeler.Sink completionSink;

  private final RegionSink sink;
  private final boolean streaming;
  private final List<RegionCollector.Candidate> completedThisRow = new ArrayList<>();
  private int nextRow;
  private Boolean probabilities;
  private boolean finished;

  /**
   * A vectorizer that hands every kept region to {@code sink}: as soon as it is complete when the
   * options allow streaming (see the class documentation), else in output order during
   * {@link #finish()}.
   */
  public MaskVectorizer(
      int width,
      int height,
      PixelToWorld transform,
      VectorizerOptions options,
      GeometryFactory factory,
      RegionSink sink) {
    if (sink == null) {
      throw new IllegalArgumentException("region sink must not be null");
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "raster width and height must be >= 1, got " + width + " x " + height);
    }
    if (transform == null) {
      throw new IllegalArgumentException(
          "pixel-to-world transform must not be null"
              + " (use PixelToWorld.identity() for pixel coordinates)");
    }
    if (options == null) {
      throw new IllegalArgumentException(
          "options must not be null (use VectorizerOptions.defaults())");
    }
    if (factory == null) {
      throw new IllegalArgumentException("geometry factory must not be null");
    }
    this.sink = sink;
    this.streaming = !options.needsAllRegions();
    this.width = width;
    this.height = height;
    this.options = options;
    this.builder = new WorldGeometryBuilder(transform, factory);
    AreaModel am = options.areaModel();
    this.planarPixelSquareMetres =
        am.isGeodesic()
            ? Double.NaN
            : transform.pixelArea() * am.metresPerUnit() * am.metresPerUnit();
    this.labeler = new ComponentLabeler(width, options.connectivity());
    this.prev = new RowRuns(0, width);
    this.cur = new RowRuns(1, width);
    this.tracer = new BoundaryTracer(new BoundaryChains(prev, cur));
    this.collector = new RegionCollector(options.minAreaSquareMetres(), options.maxFeatures());
    this.ringSink = (ring, prevRun) -> labeler.parts.addRing(labeler.partOf(prev, prevRun), ring);
    this.completionSink =
        new ComponentLabeler.Sink() {
          @Override
          public void partComplete(int part, int regionRoot) {
            PartShape shape = PartShape.of(labeler.parts.rings[part]);
            double area = options.areaModel().isGeodesic() ? builder.geodesicArea(shape) : 0;
            labeler.regions.addPart(regionRoot, shape, area);
          }

          @Override
          public void regionComplete(int region) {
            RegionLabels r = labeler.regions;
            long pixels = r.pixelCount[region];
            double area =
                options.areaModel().isGeodesic()
                    ? r.measuredArea[region]
                    : pixels * planarPixelSquareMetres;
            if (!collector.wouldKeep(area, r.firstPixel[region])) {
              return;
            }
            double mean =
                Boolean.TRUE.equals(probabilities) ? r.probabilitySum[region] / pixels : Double.NaN;
            RegionCollector.Candidate c =
                new RegionCollector.Candidate(
                    r.parts[region], pixels, area, mean, r.firstPixel[region]);
            if (streaming) {
              completedThisRow.add(c);
            } else {
              collector.offer(c);
            }
          }
        };
  }

  /**
   * Feeds the next band. Bands must be full width, contiguous and in order (the first starts at
   * row 0), all binary or all probabilities.
   *
   * @throws IllegalArgumentException on a band that does not fit
   * @throws IllegalStateException after {@link #finish()}
   * @throws IOException from the sink
   */
  public void accept(MaskBand band) throws IOException {
    if (finished) {
      throw new IllegalStateException("finish() was already called; create a new MaskVectorizer");
    }
    if (band == null) {
      throw new IllegalArgumentException("band must not be null");
    }
    if (band.width() != width) {
      throw new IllegalArgumentException(
          "band width " + band.width() + " does not match the raster width " + width);
    }
    if (band.firstRow() != nextRow) {
      throw new IllegalArgumentException(
          "band starts at row "
              + band.firstRow()
              + " but the next expected row is "
              + nextRow
              + " (bands must be contiguous, top to bottom)");
    }
    if ((long) band.firstRow() + band.height() > height) {
      throw new IllegalArgumentException(
          "band rows "
              + band.firstRow()
              + ".."
              + (band.firstRow() + band.height() - 1)
              + " run past the raster height "
              + height);
    }
    if (probabilities != null && probabilities != band.hasProbabilities()) {
      throw new IllegalArgumentException(
          "band is "
              + kind(band.hasProbabilities())
              + " but earlier bands were "
              + kind(probabilities)
              + "; do not mix them");
    }
    probabilities = band.hasProbabilities();
    double threshold = options.threshold();
    for (int r = 0; r < band.height(); r++) {
      cur.count = band.runsOfRow(r, threshold, cur.starts, cur.ends, cur.sums);
      step(nextRow);
      nextRow++;
    }
  }

  private static String kind(boolean probabilities) {
    return probabilities ? "probabilities" : "binary";
  }

  /** Labels row {@code y} (already in {@code cur}), traces line {@code y}, completes regions. */
  private void step(int y) throws IOException {
    labeler.label(prev, cur, y);
    tracer.traceLine(y, prev, cur, ringSink);
    labeler.completeFinished(cur, completionSink);
    RowRuns t = prev;
    prev = cur;
    cur = t;
    if (!completedThisRow.isEmpty()) {
      completedThisRow.sort(Comparator.comparingLong(RegionCollector.Candidate::firstPixel));
      for (RegionCollector.Candidate c : completedThisRow) {
        sink.accept(toRegion(c, builder.region(c.parts()), false));
      }
      completedThisRow.clear();
    }
  }

  private static VectorizedRegion toRegion(
      RegionCollector.Candidate c, Geometry g, boolean normalize) {
    if (normalize) {
      g.normalize();
    }
    return new VectorizedRegion(
        g, c.pixelCount(), c.areaSquareMetres(), c.meanProbability(), bounds(c.parts()));
  }

  /** The pixel-corner rectangle around the parts' shells (holes lie inside them). */
  private static PixelBounds bounds(List<PartShape> parts) {
    int minX = Integer.MAX_VALUE;
    int minY = Integer.MAX_VALUE;
    int maxX = Integer.MIN_VALUE;
    int maxY = Integer.MIN_VALUE;
    for (PartShape part : parts) {
      int[] shell = part.shell;
      for (int i = 0; i < shell.length; i += 2) {
        minX = Math.min(minX, shell[i]);
        maxX = Math.max(maxX, shell[i]);
        minY = Math.min(minY, shell[i + 1]);
        maxY = Math.max(maxY, shell[i + 1]);
      }
    }
    return new PixelBounds(minX, minY, maxX, maxY);
  }

  /**
   * Ends the stream. Without streaming, hands the kept regions to the sink, largest area first
   * (ties: first pixel in row-major order), after the minimum-area and maximum-features filters
   * and optional simplification.
   *
   * @throws IllegalStateException if not all rows were given, or when called twice
   * @throws IOException from the sink
   */
  public void finish() throws IOException {
    if (finished) {
      throw new IllegalStateException("finish() was already called");
    }
    if (nextRow != height) {
      throw new IllegalStateException(
          "only "
              + nextRow
              + " of "
              + height
              + " rows were given; feed every band before finish()");
    }
    finished = true;
    cur.count = 0;
    step(height);
    List<RegionCollector.Candidate> kept = collector.inOutputOrder();
    Geometry[] geometries = new Geometry[kept.size()];
    for (int i = 0; i < geometries.length; i++) {
      geometries[i] = builder.region(kept.get(i).parts());
    }
    if (options.simplifyTolerance() > 0 && geometries.length > 0) {
      CoverageSimplifier simplifier = new CoverageSimplifier(geometries);
      // Keep every ring: a removed hole would swallow the island inside it, a removed part
      // would change the region's topology.
      simplifier.setRemovableRingSizeFactor(0);
      geometries = simplifier.simplify(options.simplifyTolerance());
    }
    for (int i = 0; i < geometries.length; i++) {
      // The builder's geometries are already normalized; simplified ones are not.
      sink.accept(toRegion(kept.get(i), geometries[i], options.simplifyTolerance() > 0));
    }
  }

  /**
   * One-shot: vectorizes a band holding the whole raster (first row 0, {@code height} rows) and
   * returns the regions largest first.
   */
  public static List<VectorizedRegion> vectorize(
      MaskBand whole,
      int width,
      int height,
      PixelToWorld t,
      VectorizerOptions o,
      GeometryFactory f) {
    List<VectorizedRegion> out = new ArrayList<>();
    MaskVectorizer v =
        new MaskVectorizer(width, height, t, o.toBuilder().largestFirst(true).build(), f, out::add);
    try {
      v.accept(whole);
      v.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a list never throws
    }
    return out;
  }
}
