package org.diffris.pipeline;

import org.diffris.vectorizer.VectorizerOptions;

/**
 * Everything a user can set on one segmentation job, with its default and its check written once
 * for every host. Build with {@link #builder(String)}; each setter checks its value at once and
 * takes {@code null} for "the default", so a host passes what its user gave as it is.
 *
 * <table>
 *   <caption>options</caption>
 *   <tr><th>name</th><th>default</th><th>accepted</th></tr>
 *   <tr><td>{@code query}</td><td>(required)</td><td>text with a visible character and no
 *       control character but tab and line breaks ({@link QueryText})</td></tr>
 *   <tr><td>{@code threshold}</td><td>the model's</td><td>between 0 and 1, exclusive</td></tr>
 *   <tr><td>{@code bands}</td><td>red, green, blue when the raster says which they are, else
 *       the first bands that are not alpha</td><td>band numbers from 1, comma separated, one per
 *       model channel ({@link BandSelection})</td></tr>
 *   <tr><td>{@code scale}</td><td>{@code auto}</td><td>{@code auto}, {@code bundle},
 *       {@code bits:N}, {@code range:LOW,HIGH}, {@code percentile:P1,P2[,joint|per-band]}
 *       ({@link ScaleRule}, {@link ValueScaling})</td></tr>
 *   <tr><td>{@code tileSize}, {@code overlap}</td><td>the model's</td><td>pixels of the model's
 *       grid, size 1 to {@value #MAX_TILE}, overlap &ge; 0 (the tiler checks them against each
 *       other, the plan the memory they need)</td></tr>
 *   <tr><td>{@code batchSize}</td><td>{@value #DEFAULT_BATCH}</td><td>1 to {@value #MAX_BATCH}
 *       tiles per model call</td></tr>
 *   <tr><td>{@code simplify}</td><td>0 (pixel-exact)</td><td>&ge; 0, CRS units</td></tr>
 *   <tr><td>{@code minArea}</td><td>0</td><td>&ge; 0 square metres</td></tr>
 *   <tr><td>{@code maxFeatures}</td><td>all</td><td>&ge; 1</td></tr>
 *   <tr><td>{@code roi}</td><td>the whole raster</td><td>a {@link RegionOfInterest}</td></tr>
 *   <tr><td>{@code maxPixels}</td><td>no limit</td><td>&ge; 1: the most pixels a job may
 *       read, counted on the raster and on the model's grid ({@link PixelLimitException})</td></tr>
 *   <tr><td>{@code largestFirst}</td><td>false: regions go out as they complete</td><td>true
 *       holds every region and hands them out largest first</td></tr>
 * </table>
 *
 * <p>A bad value is an {@link InvalidOptionException} named after the option. Immutable.
 */
public final class SegmentOptions {
  /**
   * The largest tile side, model pixels: a batch of four such tiles of three channels is 800 MB
   * of floats (the model runs on the whole tile at once); {@link SegmentationPlan} also checks a
   * job's tiles against the memory the JVM may use.
   */
  public static final int MAX_TILE = 4096;

  /** The most tiles per model call. */
  public static final int MAX_BATCH = 256;

  public static final int DEFAULT_BATCH = 4;

  private final String query;
  private final Double threshold;
  private final String bands;
  private final Integer tileSize;
  private final Integer overlap;
  private final int batchSize;
  private final double simplify;
  private final double minArea;
  private final Integer maxFeatures;
  private final RegionOfInterest roi;
  private final ScaleRule scale;
  private final long maxPixels;
  private final boolean largestFirst;

  private SegmentOptions(Builder b) {
    this.query = b.query;
    this.threshold = b.threshold;
    this.bands = b.bands;
    this.tileSize = b.tileSize;
    this.overlap = b.overlap;
    this.batchSize = b.batchSize;
    this.simplify = b.simplify;
    this.minArea = b.minArea;
    this.maxFeatures = b.maxFeatures;
    this.roi = b.roi;
    this.scale = b.scale;
    this.maxPixels = b.maxPixels;
    this.largestFirst = b.largestFirst;
  }

  /**
   * @param query what to find, in words
   * @throws InvalidOptionException when the query is missing, blank or holds a control character
   *     ({@link QueryText})
   */
  public static Builder builder(String query) {
    return new Builder(query);
  }

  public String query() {
    return query;
  }

  /** The threshold asked for, or null for the model's own. */
  public Double threshold() {
    return threshold;
  }

  /** The band list as the user wrote it, or null for the first bands. */
  public String bands() {
    return bands;
  }

  public Integer tileSize() {
    return tileSize;
  }

  public Integer overlap() {
    return overlap;
  }

  public int batchSize() {
    return batchSize;
  }

  public double simplify() {
    return simplify;
  }

  public double minArea() {
    return minArea;
  }

  /** The most regions kept, or null for all. */
  public Integer maxFeatures() {
    return maxFeatures;
  }

  /** The region of interest, or null for the whole raster. */
  public RegionOfInterest roi() {
    return roi;
  }

  /** How raw values are brought to the model's range ({@link ScaleRule}). */
  public ScaleRule scale() {
    return scale;
  }

  public long maxPixels() {
    return maxPixels;
  }

  public boolean largestFirst() {
    return largestFirst;
  }

  /** Builder; every setter checks its value. */
  public static final class Builder {
    private final String query;
    private Double threshold;
    private String bands;
    private Integer tileSize;
    private Integer overlap;
    private int batchSize = DEFAULT_BATCH;
    private double simplify;
    private double minArea;
    private Integer maxFeatures;
    private RegionOfInterest roi;
    private ScaleRule scale = ScaleRule.AUTO;
    private long maxPixels = Long.MAX_VALUE;
    private boolean largestFirst;

    private Builder(String query) {
      QueryText.require("query", query);
      this.query = query;
    }

    public Builder threshold(Double threshold) {
      if (threshold != null && !VectorizerOptions.isThreshold(threshold)) {
        throw new InvalidOptionException(
            "threshold", "must be " + VectorizerOptions.THRESHOLD_RANGE + ", got " + threshold);
      }
      this.threshold = threshold;
      return this;
    }

    public Builder bands(String bands) {
      BandSelection.checkSyntax(bands);
      this.bands = bands == null || bands.isBlank() ? null : bands;
      return this;
    }

    public Builder tileSize(Integer pixels) {
      if (pixels != null && (pixels < 1 || pixels > MAX_TILE)) {
        throw new InvalidOptionException(
            "tileSize", "must be 1 to " + MAX_TILE + " pixels of the model's grid, got " + pixels);
      }
      this.tileSize = pixels;
      return this;
    }

    public Builder overlap(Integer pixels) {
      if (pixels != null && pixels < 0) {
        throw new InvalidOptionException("overlap", "must be 0 or more pixels, got " + pixels);
      }
      this.overlap = pixels;
      return this;
    }

    public Builder batchSize(Integer tiles) {
      if (tiles != null && (tiles < 1 || tiles > MAX_BATCH)) {
        throw new InvalidOptionException(
            "batchSize", "must be 1 to " + MAX_BATCH + " tiles, got " + tiles);
      }
      this.batchSize = tiles == null ? DEFAULT_BATCH : tiles;
      return this;
    }

    public Builder simplify(Double tolerance) {
      if (tolerance != null && !(tolerance >= 0 && tolerance < Double.POSITIVE_INFINITY)) {
        throw new InvalidOptionException("simplify", "must be >= 0 (CRS units), got " + tolerance);
      }
      this.simplify = tolerance == null ? 0 : tolerance;
      return this;
    }

    public Builder minArea(Double squareMetres) {
      if (squareMetres != null && !(squareMetres >= 0 && squareMetres < Double.POSITIVE_INFINITY)) {
        throw new InvalidOptionException(
            "minArea", "must be >= 0 (square metres), got " + squareMetres);
      }
      this.minArea = squareMetres == null ? 0 : squareMetres;
      return this;
    }

    public Builder maxFeatures(Integer count) {
      if (count != null && count < 1) {
        throw new InvalidOptionException("maxFeatures", "must be >= 1, got " + count);
      }
      this.maxFeatures = count;
      return this;
    }

    public Builder roi(RegionOfInterest roi) {
      this.roi = roi;
      return this;
    }

    /**
     * @param rule one of {@link ScaleRule}'s forms; null or blank for {@code auto}
     * @throws InvalidOptionException naming the accepted forms
     */
    public Builder scale(String rule) {
      this.scale = ScaleRule.parse(rule);
      return this;
    }

    public Builder maxPixels(long pixels) {
      if (pixels < 1) {
        throw new InvalidOptionException("maxPixels", "must be 1 or more, got " + pixels);
      }
      this.maxPixels = pixels;
      return this;
    }

    public Builder largestFirst(boolean largestFirst) {
      this.largestFirst = largestFirst;
      return this;
    }

    public SegmentOptions build() {
      return new SegmentOptions(this);
    }
  }
}
