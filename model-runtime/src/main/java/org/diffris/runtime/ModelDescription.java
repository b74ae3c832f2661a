package org.diffris.runtime;

import java.util.List;
import java.util.Optional;
import org.diffris.runtime.json.JsonFields;
import org.diffris.runtime.json.JsonFields.FieldException;

/**
 * What a model bundle's {@code model.json} says about its model, validated.
 *
 * <p>Fields read (others, such as source and training notes, are ignored): {@code name},
 * {@code version}, {@code license}, {@code task}; {@code image} {size, channels, mean, std, scale,
 * gsd_m (metres, or "none"), optional size_multiple}; {@code text} {tokenizer: "clip-bpe" or "wordpiece", max_length, bos, eos, pad, optional
 * vocab_size, optional encoder ({@link TextEncoderSource})}; {@code output} {stride,
 * kind: "logits"}; {@code threshold}; {@code onnx} {opset}. Guarantees: strings non-empty, sizes
 * positive, {@code mean}/{@code std} hold one value per channel with every std above zero,
 * threshold in 0..1, stride divides the image size. Optional {@code tiling} {size, overlap}
 * (pixels; default: the image size and a quarter of it) sets how rasters are cut into tiles,
 * with overlap below size. Optional {@code runtime_memory} {tile, base_bytes,
 * bytes_per_batch_item} ({@link RuntimeMemory}): ONNX Runtime's native memory for this model,
 * measured. Immutable.
 */
public final class ModelDescription {
  /** Tokenizers this runtime implements. */
  public static final List<String> TOKENIZERS = List.of("clip-bpe", "wordpiece");

  /**
   * {@code image.gsd_m} of a model trained on imagery of many resolutions: rasters are not
   * resampled, the model runs at each one's own resolution.
   */
  public static final String NO_GSD = "none";

  /** What the segmenter's output holds. */
  public static final List<String> OUTPUT_KINDS = List.of("logits");

  private final String name;
  private final String version;
  private final String license;
  private final String task;
  private final Image image;
  private final Text text;
  private final Output output;
  private final double threshold;
  private final int opset;
  private final Tiling tiling;
  private final String architecture;
  private final RuntimeMemory runtimeMemory;

  /** Input image: square side in pixels, channel count, normalization, ground sampling distance. */
  public static final class Image {
    private final int size;
    private final int channels;
    private final double[] mean;
    private final double[] std;
    private final double scale;
    private final double gsdMetres;
    private final String bandOrder;
    private final String radiometry;

    Image(
        int size,
        int channels,
        double[] mean,
        double[] std,
        double scale,
        double gsdMetres,
        String bandOrder,
        String radiometry) {
      this.size = size;
      this.channels = channels;
      this.mean = mean;
      this.std = std;
      this.scale = scale;
      this.gsdMetres = gsdMetres;
      this.bandOrder = bandOrder;
      this.radiometry = radiometry;
    }

    /**
     * The colours the channels take, in order, as letters ({@code image.band_order}, e.g.
     * {@code "RGB"}), or null when the bundle does not say.
     */
    public String bandOrder() {
      return bandOrder;
    }

    /**
     * The values the model was trained on, in words ({@code image.radiometry}, e.g. 8-bit sRGB-like
     * colours), or null when the bundle does not say.
     */
    public String radiometry() {
      return radiometry;
    }

    /** Side of the square input, in pixels. */
    public int size() {
      return size;
    }

    public int channels() {
      return channels;
    }

    /** Per-channel mean, subtracted after multiplying by {@link #scale()}. */
    public double[] mean() {
      return mean.clone();
    }

    /** Per-channel standard deviation, divided by after subtracting the mean. */
    public double[] std() {
      return std.clone();
    }

    /** Factor applied to raw pixel values first (1/255 for 8-bit imagery). */
    public double scale() {
      return scale;
    }

    /**
     * Ground sampling distance the model was trained at, metres per pixel; 0 when model.json says
     * {@code "none"} (a model trained on imagery of many resolutions, run at each raster's own).
     */
    public double gsdMetres() {
      return gsdMetres;
    }

    /** Whether the model has a training GSD that rasters are resampled to. */
    public boolean hasGsd() {
      return gsdMetres > 0;
    }
  }

  /**
   * Text input: tokenizer kind, sequence length and special token ids; the size of the encoder's
   * vocabulary when model.json states it ({@code vocab_size}, -1 otherwise), which the tokenizer
   * files must match; and where the text encoder comes from when it is not the bundle's own
   * {@code text_encoder.onnx}.
   */
  public record Text(
      String tokenizer,
      int maxLength,
      int bosId,
      int eosId,
      int padId,
      int vocabSize,
      Optional<TextEncoderSource> encoder) {
    /** A text input whose encoder is the bundle's own and whose vocabulary size is not stated. */
    public Text(String tokenizer, int maxLength, int bosId, int eosId, int padId) {
      this(tokenizer, maxLength, bosId, eosId, padId, -1, Optional.empty());
    }
  }

  /**
   * How rasters are cut for this model: square tile side and overlap, pixels at the model's GSD,
   * and the number every input side must be a multiple of ({@code image.size_multiple}, 1 when
   * model.json does not say).
   */
  public record Tiling(int size, int overlap, int sizeMultiple) {}

  /**
   * ONNX Runtime's native memory for the segmenter, outside the Java heap, as measured for this
   * bundle ({@code runtime_memory} in model.json; {@code dev/native-memory} measures it): the
   * process grows by {@code baseBytes} once the sessions are open and have run, plus {@code
   * bytesPerBatchItem} for every tile of a batch of {@code tile}-pixel tiles.
   *
   * @param tile the tile side the measurement ran at, model pixels
   * @param baseBytes the growth with the sessions open (weights, arenas), whatever the batch
   * @param bytesPerBatchItem the growth for each tile of a batch, at {@code tile}
   */
  public record RuntimeMemory(int tile, long baseBytes, long bytesPerBatchItem) {
    /**
     * The native memory for batches of {@code batch} tiles of {@code tileSize} pixels: the
     * per-tile part scales with the tile's pixel count (ONNX Runtime's buffers hold activations,
     * which grow with the pixels).
     */
    public long bytesFor(int tileSize, int batch) {
      double pixels = (double) tileSize * tileSize / ((double) tile * tile);
      return baseBytes + (long) Math.ceil(batch * bytesPerBatchItem * pixels);
    }
  }

  /** Segmenter output: stride relative to the input (1 = full resolution) and value kind. */
  public record Output(int stride, String kind) {}

  private ModelDescription(
      String name,
      String version,
      String license,
      String task,
      Image image,
      Text text,
      Output output,
      double threshold,
      int opset,
      Tiling tiling,
      String architecture,
      RuntimeMemory runtimeMemory) {
    this.name = name;
    this.version = version;
    this.license = license;
    this.task = task;
    this.image = image;
    this.text = text;
    this.output = output;
    this.threshold = threshold;
    this.opset = opset;
    this.tiling = tiling;
    this.architecture = architecture;
    this.runtimeMemory = runtimeMemory;
  }

  /** Reads and validates the parsed {@code model.json}. */
  static ModelDescription from(JsonFields root) throws FieldException {
    JsonFields img = root.object("image");
    int size = img.integer("size", 1, 1 << 16);
    int channels = img.integer("channels", 1, 64);
    String perChannel = "one per channel, channels = " + channels;
    double[] mean = img.numbers("mean", channels, -1e9, 1e9, perChannel);
    double[] std = img.numbers("std", channels, JsonFields.ABOVE_ZERO, 1e9, perChannel);
    double scale = img.number("scale", JsonFields.ABOVE_ZERO, 1e9);
    double gsd = gsd(img);

    JsonFields txt = root.object("text");
    Text text =
        new Text(
            txt.choice("tokenizer", TOKENIZERS),
            txt.integer("max_length", 2, 4096),
            txt.integer("bos", 0, Integer.MAX_VALUE),
            txt.integer("eos", 0, Integer.MAX_VALUE),
            txt.integer("pad", 0, Integer.MAX_VALUE),
            txt.has("vocab_size") ? txt.integer("vocab_size", 1, Integer.MAX_VALUE) : -1,
            txt.has("encoder")
                ? Optional.of(TextEncoderSource.from(txt.object("encoder")))
                : Optional.empty());

    JsonFields out = root.object("output");
    int stride = out.integer("stride", 1, size);
    if (size % stride != 0) {
      throw out.problem("stride", "is " + stride + ", which does not divide image.size " + size);
    }
    Output output = new Output(stride, out.choice("kind", OUTPUT_KINDS));

    int multiple = img.has("size_multiple") ? img.integer("size_multiple", 1, size) : 1;
    if (size % multiple != 0) {
      throw img.problem(
          "size", "is " + size + ", not a multiple of image.size_multiple " + multiple);
    }
    Tiling tiling = new Tiling(size, size / 4, multiple);
    if (root.has("tiling")) {
      JsonFields t = root.object("tiling");
      int tileSize = t.has("size") ? t.integer("size", 1, 1 << 16) : size;
      if (tileSize % multiple != 0) {
        throw t.problem(
            "size", "is " + tileSize + ", not a multiple of image.size_multiple " + multiple);
      }
      int overlap = t.has("overlap") ? t.integer("overlap", 0, tileSize - 1) : tileSize / 4;
      tiling = new Tiling(tileSize, overlap, multiple);
    }

    return new ModelDescription(
        root.string("name"),
        root.string("version"),
        root.string("license"),
        root.string("task"),
        new Image(
            size,
            channels,
            mean,
            std,
            scale,
            gsd,
            img.has("band_order") ? bandOrder(img, channels) : null,
            img.has("radiometry") ? img.string("radiometry") : null),
        text,
        output,
        root.number("threshold", 0, 1),
        root.object("onnx").integer("opset", 7, 100),
        tiling,
        architecture(root),
        root.has("runtime_memory") ? runtimeMemory(root.object("runtime_memory")) : null);
  }

  private static RuntimeMemory runtimeMemory(JsonFields memory) throws FieldException {
    return new RuntimeMemory(
        memory.integer("tile", 1, 1 << 16),
        (long) memory.number("base_bytes", 0, 1e15),
        (long) memory.number("bytes_per_batch_item", 0, 1e15));
  }

  /**
   * {@code architecture} in words for people (backbone, its size and weights), or null when
   * model.json has none; the runtime needs none of it.
   */
  private static String architecture(JsonFields root) throws FieldException {
    if (!root.has("architecture")) {
      return null;
    }
    JsonFields a = root.object("architecture");
    StringBuilder words = new StringBuilder(a.has("backbone") ? a.string("backbone") : "unknown");
    if (a.isString("backbone_size")) {
      words.append(" (").append(a.string("backbone_size")).append(")");
    }
    if (a.isString("backbone_weights")) {
      words.append(", weights ").append(a.string("backbone_weights"));
    }
    return words.toString();
  }

  /** {@code image.gsd_m}: positive metres per pixel, or {@value #NO_GSD} (0 here). */
  private static double gsd(JsonFields img) throws FieldException {
    if (!img.isString("gsd_m")) {
      return img.number("gsd_m", JsonFields.ABOVE_ZERO, 1e6);
    }
    if (!NO_GSD.equals(img.string("gsd_m"))) {
      throw img.problem(
          "gsd_m",
          "is \""
              + img.string("gsd_m")
              + "\"; accepted are a positive number of metres per pixel or \""
              + NO_GSD
              + "\"");
    }
    return 0;
  }

  /** {@code image.band_order}: one letter of R, G, B or N per channel, each at most once. */
  private static String bandOrder(JsonFields img, int channels) throws JsonFields.FieldException {
    String order = img.string("band_order");
    if (!order.matches("[RGBN]+")
        || order.length() != channels
        || order.chars().distinct().count() != channels) {
      throw img.problem(
          "band_order",
          "is '" + order + "': give one of R, G, B, N per channel (" + channels + "), e.g. RGB");
    }
    return order;
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public String license() {
    return license;
  }

  public String task() {
    return task;
  }

  public Image image() {
    return image;
  }

  public Text text() {
    return text;
  }

  public Output output() {
    return output;
  }

  /** Probability above which a pixel belongs to the referred object, 0..1. */
  public double threshold() {
    return threshold;
  }

  /**
   * The backbone, its size and weights in words ({@code architecture} of model.json), or null
   * when the bundle does not say.
   */
  public String architecture() {
    return architecture;
  }

  /** ONNX Runtime's measured native memory, empty when model.json does not say. */
  public Optional<RuntimeMemory> runtimeMemory() {
    return Optional.ofNullable(runtimeMemory);
  }

  /** Tile size and overlap for rasters larger than one input. */
  public Tiling tiling() {
    return tiling;
  }

  /** ONNX opset the graphs were exported with. */
  public int opset() {
    return opset;
  }
}
