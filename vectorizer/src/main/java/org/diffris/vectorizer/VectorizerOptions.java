package org.diffris.vectorizer;

/**
 * Immutable settings of a {@link MaskVectorizer}; build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code connectivity}: {@link Connectivity#FOUR} (default) or {@link Connectivity#EIGHT}.</li>
 *   <li>{@code threshold}: for probability masks, a pixel is in when {@code p >= threshold},
 *       compared at float32 precision (the precision of {@link MaskBand} probabilities);
 *       strictly between 0 and 1; default 0.5. Ignored for binary masks.</li>
 *   <li>{@code minAreaSquareMetres}: regions smaller than this are dropped; default 0.</li>
 *   <li>{@code maxFeatures}: keep only the largest regions by area (ties: first pixel in
 *       row-major order wins); default unlimited.</li>
 *   <li>{@code simplifyTolerance}: topology-preserving simplification distance in CRS units;
 *       0 (default) keeps the pixel-exact boundaries.</li>
 *   <li>{@code areaModel}: how areas are measured; default {@code AreaModel.planar(1)}.</li>
 *   <li>{@code largestFirst}: deliver regions largest area first instead of as they complete;
 *       default false. Like {@code maxFeatures} and simplification, it makes the vectorizer hold
 *       every kept region until the end ({@link #needsAllRegions()}).</li>
 * </ul>
 */
public final class VectorizerOptions {

  /** Sentinel for "no limit" on the number of features. */
  public static final int UNLIMITED = Integer.MAX_VALUE;

  private final Connectivity connectivity;
  private final double threshold;
  private final double minAreaSquareMetres;
  private final int maxFeatures;
  private final double simplifyTolerance;
  private final AreaModel areaModel;
  private final boolean largestFirst;

  private VectorizerOptions(Builder b) {
    this.connectivity = b.connectivity;
    this.threshold = b.threshold;
    this.minAreaSquareMetres = b.minAreaSquareMetres;
    this.maxFeatures = b.maxFeatures;
    this.simplifyTolerance = b.simplifyTolerance;
    this.areaModel = b.areaModel;
    this.largestFirst = b.largestFirst;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: 4-connectivity, threshold 0.5, no filters, no simplification, planar metres. */
  public static VectorizerOptions defaults() {
    return builder().build();
  }

  public Connectivity connectivity() {
    return connectivity;
  }

  public double threshold() {
    return threshold;
  }

  public double minAreaSquareMetres() {
    return minAreaSquareMetres;
  }

  public int maxFeatures() {
    return maxFeatures;
  }

  public double simplifyTolerance() {
    return simplifyTolerance;
  }

  public AreaModel areaModel() {
    return areaModel;
  }

  public boolean largestFirst() {
    return largestFirst;
  }

  /** Whether these options need every region before the first is delivered (no streaming). */
  public boolean needsAllRegions() {
    return largestFirst || maxFeatures != UNLIMITED || simplifyTolerance > 0;
  }

  /** The accepted range of a probability threshold, in words, for messages. */
  public static final String THRESHOLD_RANGE = "between 0 and 1 (exclusive)";

  /** The one rule for a probability threshold, for every host: strictly between 0 and 1. */
  public static boolean isThreshold(double threshold) {
    return threshold > 0 && threshold < 1;
  }

  /** A builder pre-filled with these options. */
  public Builder toBuilder() {
    return builder()
        .connectivity(connectivity)
        .threshold(threshold)
        .minAreaSquareMetres(minAreaSquareMetres)
        .maxFeatures(maxFeatures)
        .simplifyTolerance(simplifyTolerance)
        .areaModel(areaModel)
        .largestFirst(largestFirst);
  }

  @Override
  public String toString() {
    return "VectorizerOptions[connectivity="
        + connectivity
        + ", threshold="
        + threshold
        + ", minAreaSquareMetres="
        + minAreaSquareMetres
        + ", maxFeatures="
        + (maxFeatures == UNLIMITED ? "unlimited" : maxFeatures)
        + ", simplifyTolerance="
        + simplifyTolerance
        + ", areaModel="
        + areaModel
        + ", largestFirst="
        + largestFirst
        + "]";
  }

  /** Builder; every setter validates its argument at once. */
  public static final class Builder {
    private Connectivity connectivity = Connectivity.FOUR;
    private double threshold = 0.5;
    private double minAreaSquareMetres = 0;
    private int maxFeatures = UNLIMITED;
    private double simplifyTolerance = 0;
    private AreaModel areaModel = AreaModel.planar(1);
    private boolean largestFirst;

    private Builder() {}

    public Builder connectivity(Connectivity connectivity) {
      if (connectivity == null) {
        throw new IllegalArgumentException("connectivity must be FOUR or EIGHT, got null");
      }
      this.connectivity = connectivity;
      return this;
    }

    /** Probability threshold: a pixel is in when {@code p >= threshold}; must be in (0, 1). */
    public Builder threshold(double threshold) {
      if (!isThreshold(threshold)) {
        throw new IllegalArgumentException(
            "threshold must be " + THRESHOLD_RANGE + ", got " + threshold);
      }
      this.threshold = threshold;
      return this;
    }

    public Builder minAreaSquareMetres(double minAreaSquareMetres) {
      if (!(minAreaSquareMetres >= 0) || Double.isInfinite(minAreaSquareMetres)) {
        throw new IllegalArgumentException(
            "minimum area must be a finite number >= 0 square metres, got " + minAreaSquareMetres);
      }
      this.minAreaSquareMetres = minAreaSquareMetres;
      return this;
    }

    /** Keep at most this many regions, the largest by area; {@link #UNLIMITED} for all. */
    public Builder maxFeatures(int maxFeatures) {
      if (maxFeatures < 1) {
        throw new IllegalArgumentException(
            "maximum number of features must be >= 1, got "
                + maxFeatures
                + " (use VectorizerOptions.UNLIMITED for no limit)");
      }
      this.maxFeatures = maxFeatures;
      return this;
    }

    /** Simplification distance in CRS units; 0 keeps pixel-exact boundaries. */
    public Builder simplifyTolerance(double simplifyTolerance) {
      if (!(simplifyTolerance >= 0) || Double.isInfinite(simplifyTolerance)) {
        throw new IllegalArgumentException(
            "simplification tolerance must be a finite number >= 0"
                + " (CRS units), got "
                + simplifyTolerance);
      }
      this.simplifyTolerance = simplifyTolerance;
      return this;
    }

    public Builder areaModel(AreaModel areaModel) {
      if (areaModel == null) {
        throw new IllegalArgumentException(
            "area model must be AreaModel.planar(metresPerUnit) or AreaModel.geodesicWgs84(), got null");
      }
      this.areaModel = areaModel;
      return this;
    }

    /** Deliver regions largest area first (holds every region until the end). */
    public Builder largestFirst(boolean largestFirst) {
      this.largestFirst = largestFirst;
      return this;
    }

    public VectorizerOptions build() {
      return new VectorizerOptions(this);
    }
  }
}
