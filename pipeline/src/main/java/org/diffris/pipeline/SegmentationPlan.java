package org.diffris.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.diffris.runtime.ModelDescription;
import org.diffris.runtime.text.TextTokenizer;
import org.diffris.runtime.tiling.BandConsumer;
import org.diffris.runtime.tiling.GridAnchor;
import org.diffris.runtime.tiling.GsdResampling;
import org.diffris.runtime.tiling.InferenceSummary;
import org.diffris.runtime.tiling.ProgressListener;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.runtime.tiling.TileGrid;
import org.diffris.runtime.tiling.TiledSegmenter;
import org.diffris.vectorizer.Connectivity;
import org.diffris.vectorizer.GroundSampleDistance;
import org.diffris.vectorizer.MaskBand;
import org.diffris.vectorizer.MaskVectorizer;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;
import org.diffris.vectorizer.RegionSink;
import org.diffris.vectorizer.VectorizedRegion;
import org.diffris.vectorizer.VectorizerOptions;
import org.locationtech.jts.geom.CoordinateFilter;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;

/**
 * One checked job, ready to run: made by {@link Segmenter#plan}, run once or more with
 * {@link #run}. The model sees the raster north-up ({@link NorthUp}) at its GSD on both axes.
 * Streams the raster tile by tile through the model, the blended probabilities band
 * by band through the region of interest into the vectorizer, and every region into the sink.
 *
 * <p>Extent: the model's pixels and tiles sit on a grid fixed to the raster's place in the world
 * ({@link #anchor}), so a crop, a window or a subset of a raster gets the whole raster's regions
 * wherever they lie at least {@link #edgeMargin()} pixels inside it (given the same value
 * scaling: the 8-bit scaling is the same for every extent, a percentile stretch is not). Regions
 * closer to the extent's edge, or to the region of interest's boundary, are marked
 * {@code at_edge}.
 *
 * <p>Memory: the tiler's strips and blend window, plus the regions only when the options need
 * them all at once ({@link VectorizerOptions#needsAllRegions()}). Immutable; each run has its own
 * state.
 */
public final class SegmentationPlan {
  private final Segmenter segmenter;
  private final RasterInput input;
  private final RasterSource source;
  private final SegmentOptions options;
  private final int[] bands;
  private final ValueScaling scaling;
  private final double resampleFactor;
  private final NorthUp northUp;
  private final TiledSegmenter tiler;
  private final VectorizerOptions vectorizerOptions;
  private final List<String> warnings;
  private final int edgeMargin;
  private final double columnGsd;
  private final double rowGsd;
  private final Integer tile;
  private final RegionOfInterest roi;

  private SegmentationPlan(
      Segmenter segmenter,
      RasterInput input,
      RasterSource source,
      SegmentOptions options,
      int[] bands,
      ValueScaling scaling,
      double resampleFactor,
      NorthUp northUp,
      TiledSegmenter tiler,
      VectorizerOptions vectorizerOptions,
      List<String> warnings,
      int edgeMargin,
      double columnGsd,
      double rowGsd,
      Integer tile,
      RegionOfInterest roi) {
    this.segmenter = segmenter;
    this.input = input;
    this.source = source;
    this.options = options;
    this.bands = bands;
    this.scaling = scaling;
    this.resampleFactor = resampleFactor;
    this.northUp = northUp;
    this.tiler = tiler;
    this.vectorizerOptions = vectorizerOptions;
    this.warnings = List.copyOf(warnings);
    this.edgeMargin = edgeMargin;
    this.columnGsd = columnGsd;
    this.rowGsd = rowGsd;
    this.tile = tile;
    this.roi = roi;
  }

  /**
   * @param windowSide 0 for a job run in one piece; else the side of the cores it will run in
   *     ({@link #window}), whose reads, not the whole raster's rows, the memory check counts
   * @param beforeReading told the job's {@link RunEstimate} once every check that needs no pixel
   *     has passed, before the statistics pass reads any; may refuse the job by throwing
   */
  static SegmentationPlan of(
      Segmenter segmenter,
      RasterInput stored,
      SegmentOptions options,
      int windowSide,
      Consumer<RunEstimate> beforeReading)
      throws IOException {
    ModelDescription model = segmenter.description();
    // The model sees the picture north-up, whatever order the raster stores its rows and columns
    // in; everything below works on that raster.
    NorthUp northUp = NorthUp.of(stored);
    RasterInput input = northUp.input();
    long rasterPixels = (long) input.width() * input.height();
    PixelLimitException.check(
        rasterPixels, input.width() + " x " + input.height() + " pixels", options.maxPixels());
    int[] bands =
        BandSelection.parse(
            options.bands(),
            input.source().bandCount(),
            model.image().channels(),
            input.bandRoles(),
            model.image().bandOrder());
    // Alpha 0 is nodata: such pixels reach neither the statistics nor the model.
    RasterSource source =
        input.alphaBand() < 0 ? input.source() : new AlphaMask(input.source(), input.alphaBand());
    checkLatitudes(input);
    // Each axis at the model's GSD: pixels that are not square on the ground become square.
    double columnGsd =
        GroundSampleDistance.alongColumns(
            input.pixelToWorld(), input.width(), input.height(), input.areaModel());
    double rowGsd =
        GroundSampleDistance.alongRows(
            input.pixelToWorld(), input.width(), input.height(), input.areaModel());
    GsdResampling resampling;
    try {
      resampling = GsdResampling.forModel(columnGsd, rowGsd, model.image().gsdMetres());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    double factor = resampling.columnFactor();
    double columnFactor = resampling.gridColumnFactor();
    double rowFactor = resampling.gridRowFactor();
    // The smaller factor reaches furthest in raster pixels.
    double marginFactor = Math.min(columnFactor, rowFactor);
    PixelLimitException.check(
        (long) (rasterPixels * resampling.columnFactor() * resampling.rowFactor()),
        model.image().hasGsd()
            ? "the model's grid at " + model.image().gsdMetres() + " m per pixel"
            : input.width() + " x " + input.height() + " pixels",
        options.maxPixels());
    List<String> warnings = new ArrayList<>(queryWarnings(segmenter, options.query()));
    northUp.warning().ifPresent(warnings::add);
    Integer tile =
        tileWithinRaster(
            options,
            model.tiling(),
            (long)
                Math.ceil(
                    Math.max(
                        input.width() * resampling.columnFactor(),
                        input.height() * resampling.rowFactor())),
            warnings);
    // Before the statistics pass reads the raster.
    int tileSide = tile != null ? tile : model.tiling().size();
    int readWidth =
        windowSide <= 0
            ? input.width()
            : (int) Math.min(input.width(), windowSide + 2L * edgeMargin(tileSide, marginFactor));
    checkJobMemory(
        tileSide,
        options.batchSize(),
        bands.length,
        (long) Math.ceil(readWidth * columnFactor) + 1,
        readWidth,
        columnFactor,
        rowFactor);
    beforeReading.accept(
        estimate(
            model,
            options,
            tile,
            bands,
            columnGsd,
            rowGsd,
            input,
            jobBytes(
                tileSide,
                options.batchSize(),
                bands.length,
                (long) Math.ceil(readWidth * columnFactor) + 1,
                readWidth,
                columnFactor,
                rowFactor)));
    ValueScaling scaling =
        ValueScaling.of(source, input.sampleType(), bands, model, options.scale());
    TiledSegmenter tiler =
        tiler(
            model, options, tile, bands, scaling, columnGsd, rowGsd, anchor(input.pixelToWorld()));
    double threshold = options.threshold() != null ? options.threshold() : model.threshold();
    VectorizerOptions.Builder vectorizer =
        VectorizerOptions.builder()
            .threshold(threshold)
            .areaModel(input.areaModel())
            .simplifyTolerance(options.simplify())
            .minAreaSquareMetres(options.minArea())
            .largestFirst(options.largestFirst());
    if (options.maxFeatures() != null) {
      vectorizer.maxFeatures(options.maxFeatures());
    }
    return new SegmentationPlan(
        segmenter,
        input,
        source,
        options,
        bands,
        scaling,
        factor,
        northUp,
        tiler,
        vectorizer.build(),
        warnings,
        edgeMargin(tiler.tileSize(), marginFactor),
        columnGsd,
        rowGsd,
        tile,
        northUp.roi(options.roi()));
  }

  /**
   * Refuses a longitude/latitude raster whose corners lie beyond the poles: its georeferencing
   * is wrong (axes swapped, or another CRS than the one declared), and nothing measured on it
   * (pixel size, areas) would mean anything.
   */
  static void checkLatitudes(RasterInput input) {
    if (!input.areaModel().isGeodesic()) {
      return;
    }
    PixelToWorld t = input.pixelToWorld();
    double worst = 0;
    for (int[] corner :
        new int[][] {
          {0, 0}, {input.width(), 0}, {0, input.height()}, {input.width(), input.height()}
        }) {
      double latitude = t.y(corner[0], corner[1]);
      worst = Math.abs(latitude) > Math.abs(worst) ? latitude : worst;
    }
    if (Math.abs(worst) > 90) {
      throw new InvalidInputException(
          String.format(
              java.util.Locale.ROOT,
              "raster reaches latitude %.6g, beyond the poles: its georeferencing is wrong"
                  + " (x and y swapped, or its CRS is not the longitude/latitude one it declares)",
              worst));
    }
  }

  /**
   * The Java heap a job needs, in bytes, whatever the raster's height (docs/reliability.md gives
   * the formula and its measurement):
   *
   * <ul>
   *   <li>a batch of tiles and their logits: {@code batch (c + 1) tile² 4};
   *   <li>two strips of the model's grid, tile rows high (the one in use and the one read ahead):
   *       values, validity and nodata counts, {@code 2 gridWidth tile (4c + 5)};
   *   <li>the raster rows one strip is read from at a time, twice (decoded samples, then the
   *       floats they become, or the previous strip's not yet collected): {@code 2 rasterWidth
   *       rows c 4}, {@code rows} being {@code tile} without resampling, else {@link
   *       TiledSegmenter#rasterRowsPerRead} ({@code tile / rowFactor + 2}, but at most {@code 2
   *       tile + 2}, or one model row's, below a factor of 0.5: drone imagery is read a few model
   *       rows at a time);
   *   <li>the blend window and the band it hands on: {@code gridWidth tile (2 8 + 1 + 5)};
   *   <li>with resampling, the band mapped back onto the raster's grid: {@code rasterWidth
   *       backRows 5}, {@code backRows} being {@link TiledSegmenter#rasterRowsPerBand}.
   * </ul>
   *
   * <p>The vectorizer's regions still open are not counted: for imagery they are a few rows of
   * objects.
   *
   * @param tile the tile side, model pixels
   * @param gridWidth the model grid's width in pixels
   * @param rasterWidth the raster's width in pixels
   * @param columnFactor model pixels per raster pixel along the columns
   * @param rowFactor model pixels per raster pixel along the rows
   */
  static long jobBytes(
      long tile,
      int batch,
      int channels,
      long gridWidth,
      long rasterWidth,
      double columnFactor,
      double rowFactor) {
    boolean resampled = columnFactor != 1 || rowFactor != 1;
    long rows = resampled ? TiledSegmenter.rasterRowsPerRead(tile, rowFactor) : tile;
    long back = resampled ? TiledSegmenter.rasterRowsPerBand(tile, rowFactor) : 0;
    return batch * (channels + 1L) * tile * tile * Float.BYTES
        + 2L * gridWidth * tile * (4L * channels + 5)
        + 2L * rasterWidth * rows * channels * Float.BYTES
        + gridWidth * tile * (2L * Double.BYTES + 1 + 5)
        + rasterWidth * back * (Float.BYTES + 1);
  }

  /**
   * Refuses a job whose {@link #jobBytes} exceed the heap this JVM may use, before anything is
   * read, saying how much it needs and what to change.
   */
  static void checkJobMemory(
      long tile,
      int batch,
      int channels,
      long gridWidth,
      long rasterWidth,
      double columnFactor,
      double rowFactor) {
    long bytes = jobBytes(tile, batch, channels, gridWidth, rasterWidth, columnFactor, rowFactor);
    long allowed = Runtime.getRuntime().maxMemory();
    if (bytes > allowed) {
      throw new InvalidInputException(
          String.format(
              java.util.Locale.ROOT,
              "the raster is %d pixels wide (a model grid %d pixels wide): with tiles of %d model"
                  + " pixels in batches of %d the job needs about %.2f GiB of Java heap, more than"
                  + " the %.2f GiB this JVM may use; give it more memory (JAVA_OPTS=-Xmx%dg for"
                  + " the command line, the server's -Xmx), or use smaller tiles or batches, or a"
                  + " narrower crop",
              rasterWidth,
              gridWidth,
              tile,
              batch,
              bytes / (double) (1L << 30),
              allowed / (double) (1L << 30),
              (long) Math.ceil(1.25 * bytes / (double) (1L << 30))));
    }
  }

  /**
   * Where the raster sits in the world, in its own pixels: the CRS origin's position in the
   * raster's grid, negated. Works for every affine grid, rotated and sheared ones included (the
   * anchor then counts along the raster's own rows and columns); a raster without georeferencing
   * (the identity transform) is anchored at its corner.
   */
  static GridAnchor anchor(PixelToWorld pixelToWorld) {
    double[] origin = pixelToWorld.toPixel(0, 0);
    return GridAnchor.of(-origin[0], -origin[1]);
  }

  /**
   * Raster pixels within which of the extent's edge a region may come out differently in another
   * extent: the model pixels a tile reaches across ({@code tileSize}), plus one model pixel for
   * each way of the resampling, in raster pixels, plus one raster pixel for the bilinear read,
   * one for the read back and one for the neighbours that decide a region's outline.
   *
   * @param factor model pixels per raster pixel (1 without resampling)
   */
  static int edgeMargin(int tileSize, double factor) {
    return (int) Math.ceil((tileSize + 2) / factor) + 3;
  }

  /**
   * The tile side to run: the one asked for, or, when it is larger than the raster needs (the
   * model grid's longer side, rounded up to the model's size multiple), that size with a warning:
   * the extra would be padding that costs memory and time, and a 4096-pixel tile on a small
   * raster needs gigabytes in the model. {@code null}: the model's default.
   */
  static Integer tileWithinRaster(
      SegmentOptions options,
      ModelDescription.Tiling tiling,
      long gridSide,
      List<String> warnings) {
    Integer asked = options.tileSize();
    int multiple = tiling.sizeMultiple();
    long enough = Math.max(multiple, (gridSide + multiple - 1) / multiple * multiple);
    int overlap = options.overlap() != null ? options.overlap() : tiling.overlap();
    if (asked == null || asked <= enough || enough <= overlap) {
      return asked;
    }
    warnings.add(
        "a tile of "
            + asked
            + " model pixels is larger than this raster's model grid ("
            + gridSide
            + " pixels on its longer side): tiles of "
            + enough
            + " are used, which cover it with less padding");
    return (int) enough;
  }

  private static TiledSegmenter tiler(
      ModelDescription model,
      SegmentOptions options,
      Integer tile,
      int[] bands,
      ValueScaling scaling,
      double columnGsd,
      double rowGsd,
      GridAnchor anchor) {
    TiledSegmenter.Builder tiling =
        tiling(model, options, tile, bands, columnGsd, rowGsd, anchor).scaling(scaling.scaling());
    try {
      return tiling.build();
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(
          "tileSize", "and overlap do not fit this model: " + e.getMessage());
    }
  }

  private static TiledSegmenter.Builder tiling(
      ModelDescription model,
      SegmentOptions options,
      Integer tile,
      int[] bands,
      double columnGsd,
      double rowGsd,
      GridAnchor anchor) {
    TiledSegmenter.Builder tiling =
        TiledSegmenter.forModel(model)
            .bands(bands)
            .rasterGsd(columnGsd, rowGsd)
            .anchor(anchor)
            .batchSize(options.batchSize());
    if (tile != null) {
      tiling.tileSize(tile);
    }
    if (options.overlap() != null) {
      tiling.overlap(options.overlap());
    }
    return tiling;
  }

  /**
   * The job's {@link RunEstimate} (without its time): the tiles the tiler will run, counted on
   * the same grid without reading; the native memory checked against the machine's.
   */
  private static RunEstimate estimate(
      ModelDescription model,
      SegmentOptions options,
      Integer tile,
      int[] bands,
      double columnGsd,
      double rowGsd,
      RasterInput input,
      long heapBytes) {
    TileGrid grid;
    try {
      grid =
          tiling(model, options, tile, bands, columnGsd, rowGsd, anchor(input.pixelToWorld()))
              .tileGrid(input.width(), input.height());
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(
          "tileSize", "and overlap do not fit this model: " + e.getMessage());
    }
    OptionalLong nativeBytes =
        model
            .runtimeMemory()
            .map(m -> OptionalLong.of(m.bytesFor(grid.size(), options.batchSize())))
            .orElse(OptionalLong.empty());
    RunEstimate.checkNativeMemory(
        nativeBytes, heapBytes, RunEstimate.physicalMemory(), grid.size(), options.batchSize());
    return new RunEstimate(
        input.width(),
        input.height(),
        grid.width(),
        grid.height(),
        grid.size(),
        grid.overlap(),
        options.batchSize(),
        grid.tileCount(),
        grid.rowCount() * ((grid.columnCount() + options.batchSize() - 1) / options.batchSize()),
        heapBytes,
        Runtime.getRuntime().maxMemory(),
        nativeBytes,
        null);
  }

  /** What the user should know about the query as the model reads it (nothing in most jobs). */
  private static List<String> queryWarnings(Segmenter segmenter, String query) {
    TextTokenizer tokenizer = segmenter.model().bundle().tokenizer();
    List<String> warnings = new ArrayList<>();
    if (tokenizer.encode(query.strip()).truncated()) {
      warnings.add(
          "the query is longer than the "
              + tokenizer.maxLength()
              + " tokens the model reads (start and end tokens included): its end was cut");
    }
    List<String> spelled = tokenizer.wordsReadLetterByLetter(query.strip());
    if (!spelled.isEmpty()) {
      warnings.add(
          "the model's vocabulary barely knows "
              + spelled.stream().map(SegmentationPlan::quoted).collect(Collectors.joining(", "))
              + " (it reads "
              + (spelled.size() == 1 ? "it" : "them")
              + " letter by letter): the answer may have little to do with what "
              + (spelled.size() == 1 ? "it means" : "they mean")
              + "; the model was trained on English descriptions, try other words");
    }
    return warnings;
  }

  /** A word of the query for a message: quoted, and cut to 40 characters. */
  private static String quoted(String word) {
    return "\"" + (word.length() <= 40 ? word : word.substring(0, 39) + "…") + "\"";
  }

  /**
   * Warnings about this job that do not stop it, for the host to show (a query cut to the
   * model's length, for example).
   */
  public List<String> warnings() {
    return warnings;
  }

  RasterInput input() {
    return input;
  }

  /** The selected bands, 0-based, one per model channel. */
  public int[] bands() {
    return bands.clone();
  }

  public ValueScaling scaling() {
    return scaling;
  }

  /** The probability threshold the vectorizer applies. */
  public double threshold() {
    return vectorizerOptions.threshold();
  }

  /**
   * Raster pixels from the extent's edge inside which regions are the same in every extent that
   * holds them: regions closer to the edge are marked {@code at_edge} ({@link #atEdge}).
   */
  public int edgeMargin() {
    return edgeMargin;
  }

  /**
   * Whether a region lies within {@link #edgeMargin()} pixels of the extent's edge or of the
   * region of interest's boundary, where another extent may answer differently.
   */
  public boolean atEdge(VectorizedRegion region) {
    PixelBounds pixels = region.pixelBounds();
    return pixels.distanceToSides(input.width(), input.height()) < edgeMargin
        || (roi != null && roi.boundaryNear(pixels, edgeMargin));
  }

  /**
   * The attributes every host writes for this job's regions ({@link OutputSchema}), with the
   * raster and run they come from.
   */
  public OutputSchema outputSchema(Provenance provenance) {
    return OutputSchema.segmentation(options.query(), segmenter.label(), this::atEdge, provenance);
  }

  /** The options this plan was made with (the user's, before the plan resolved defaults). */
  SegmentOptions options() {
    return options;
  }

  /** Tile side and overlap the tiler runs with, model pixels. */
  int[] tiling() {
    return new int[] {tiler.tileSize(), tiler.overlap()};
  }

  /** The model this plan runs. */
  Segmenter segmenter() {
    return segmenter;
  }

  /** The ground the raster (or window) covers, square kilometres ({@link RasterInput}). */
  public double squareKilometres() {
    return input.squareKilometres();
  }

  /**
   * The plan for one core of this plan's raster ({@link RasterWindows}), for hosts that run a
   * raster in parts (a distributed job). Every raster-wide decision is this plan's: bands, value
   * scaling, resampling, tile size, threshold; the model's grid stays anchored to the world. The
   * window reads {@link #edgeMargin()} pixels more round the core, so the core's probabilities
   * are the whole raster's, and answers for the core only: its regions are the whole raster's
   * cut by the core's sides ({@link WindowPiece}), to be merged with {@link WindowPieces#merge}
   * and placed with {@link #region}.
   *
   * @throws IllegalArgumentException when the core is not inside the raster
   * @throws InvalidOptionException when the job asks for what needs every region of the raster
   *     at once (simplification, a maximum number of features) or has a region of interest that
   *     cannot be cut into windows ({@link RegionOfInterest#window})
   */
  public WindowPlan window(PixelBounds core) {
    if (options.simplify() > 0) {
      throw new InvalidOptionException(
          "simplify",
          "needs every region of the raster at once and cannot be used with a raster run in"
              + " windows; simplify the output afterwards");
    }
    if (options.maxFeatures() != null) {
      throw new InvalidOptionException(
          "maxFeatures",
          "needs every region of the raster at once and cannot be used with a raster run in"
              + " windows; keep the largest features of the output afterwards");
    }
    PixelBounds read =
        new PixelBounds(
            Math.max(0, core.minColumn() - edgeMargin),
            Math.max(0, core.minRow() - edgeMargin),
            Math.min(input.width(), core.maxColumn() + edgeMargin),
            Math.min(input.height(), core.maxRow() + edgeMargin));
    RasterInput windowInput = input.window(read);
    SegmentationPlan plan =
        new SegmentationPlan(
            segmenter,
            windowInput,
            input.windowOf(source, read),
            options,
            bands,
            scaling,
            resampleFactor,
            NorthUp.of(windowInput), // north-up already: a window of this plan's raster
            tiler(
                segmenter.description(),
                options,
                tile,
                bands,
                scaling,
                columnGsd,
                rowGsd,
                anchor(windowInput.pixelToWorld())),
            // Filters wait for the merged objects: a piece may be smaller than its object.
            vectorizerOptions.toBuilder().minAreaSquareMetres(0).largestFirst(false).build(),
            List.of(),
            edgeMargin,
            columnGsd,
            rowGsd,
            tile,
            roi == null
                ? WindowPlan.coreOf(core, read)
                : RegionOfInterest.both(WindowPlan.coreOf(core, read), roi.window(read)));
    return new WindowPlan(plan, core, read, input.width(), input.height());
  }

  /**
   * Whether a core ({@link RasterWindows}) has pixels this job answers for: false when the region
   * of interest holds none of them. Such a core gives no region, so a host that runs the raster
   * in windows need not run it, and nothing of its window is read.
   */
  public boolean needs(PixelBounds core) {
    return roi == null || roi.reaches(core);
  }

  /**
   * A merged piece ({@link WindowPieces#merge}) or a piece no core side cut, placed in the world
   * as this plan's own regions are: the same coordinates, normalized; its score the mean of its
   * pixels' probabilities.
   */
  public VectorizedRegion region(WindowPiece piece) {
    PixelToWorld t = input.pixelToWorld();
    GeometryFactory factory = new GeometryFactory(new PrecisionModel(), input.srid());
    Geometry world = factory.createGeometry(piece.pixelGeometry());
    world.apply(
        (CoordinateFilter)
            c -> {
              double col = c.x;
              double row = c.y;
              c.x = t.x(col, row);
              c.y = t.y(col, row);
            });
    world.geometryChanged();
    world.normalize();
    return new VectorizedRegion(
        world,
        piece.pixels(),
        piece.areaSquareMetres(),
        piece.probabilitySum() / piece.pixels(),
        piece.bounds());
  }

  /**
   * Whether a region is kept by this job's minimum area: for hosts that merge pieces, which the
   * window plans do not filter.
   */
  public boolean keeps(VectorizedRegion region) {
    return region.areaSquareMetres() >= vectorizerOptions.minAreaSquareMetres();
  }

  /** The vectorizer's connectivity, which {@link WindowPieces#merge} needs. */
  public Connectivity connectivity() {
    return vectorizerOptions.connectivity();
  }

  /** Model pixels per raster pixel along each axis (1 = the raster is at the model's GSD). */
  public double resampleFactor() {
    return resampleFactor;
  }

  /**
   * Runs the job: every region goes to {@code regions} (as it completes, or largest first at the
   * end when the options need every region), every final band of probabilities to
   * {@code probabilities} when it is not null, on the raster's grid as stored (a raster stored
   * south-up hands its bands bottom band first; the model saw it north-up, {@link NorthUp}).
   *
   * @param progress told after every batch of tiles
   * @param cancelled asked before every tile; true ends the run with
   *     {@link org.diffris.runtime.tiling.InferenceCancelledException}
   * @throws IOException from the raster or a sink
   */
  public SegmentationSummary run(
      RegionSink regions,
      BandConsumer probabilities,
      ProgressListener progress,
      BooleanSupplier cancelled)
      throws IOException {
    int width = input.width();
    long[] vectorizing = new long[1];
    TimedSource reading = new TimedSource(source);
    double[] area = new double[1];
    int[] count = new int[1];
    int[] atEdge = new int[1];
    MaskVectorizer vectorizer =
        new MaskVectorizer(
            width,
            input.height(),
            input.pixelToWorld(),
            vectorizerOptions,
            new GeometryFactory(new PrecisionModel(), input.srid()),
            region -> {
              regions.accept(region);
              count[0]++;
              atEdge[0] += atEdge(region) ? 1 : 0;
              area[0] += region.areaSquareMetres();
            });
    BandConsumer stored = northUp.back(probabilities);
    InferenceSummary inference =
        tiler.run(
            reading,
            segmenter.model().forQuery(options.query().strip()),
            (row, height, p, valid) -> {
              long start = System.nanoTime();
              if (roi != null) {
                roi.apply(row, width, height, p, valid);
              }
              if (stored != null) {
                stored.accept(row, height, p, valid);
              }
              vectorizer.accept(MaskBand.probabilities(row, width, height, p, valid));
              vectorizing[0] += System.nanoTime() - start;
            },
            progress,
            cancelled);
    long start = System.nanoTime();
    vectorizer.finish();
    vectorizing[0] += System.nanoTime() - start;
    return new SegmentationSummary(
        inference, count[0], atEdge[0], area[0], threshold(), reading.nanos(), vectorizing[0]);
  }
}
