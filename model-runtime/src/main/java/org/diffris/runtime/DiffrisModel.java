package org.diffris.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.GraphSession;
import org.diffris.runtime.onnx.ProviderReport;
import org.diffris.runtime.onnx.ProviderUnavailableException;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.runtime.text.TextPooling;
import org.diffris.runtime.text.TokenizedText;
import org.diffris.runtime.tiling.TileModel;

/**
 * A loaded model bundle ready to segment: the text encoder and the segmenter, each in one
 * long-lived ONNX Runtime session on the provider {@link #provider()} reports.
 *
 * <p>On {@link #open} both graphs are checked against the bundle contract ({@code input_ids int64
 * [N,77] -> text_features float32 [N,77,D]}; {@code image float32 [N,C,H,W], text_features ->
 * mask_logits float32 [N,1,H,W]}), with errors naming the file and the input or output.
 *
 * <p>{@link #forQuery} runs the text encoder once per distinct query text (the features of the
 * last {@value #CACHED_QUERIES} queries are kept) and returns a {@link TileModel} that only runs
 * the segmenter. Thread-safe: any number of callers may segment at once with one instance. Close
 * it once, after the last call.
 */
public final class DiffrisModel implements AutoCloseable {
  public static final String INPUT_IDS = "input_ids";

  /** 1 for real tokens, 0 for padding: an input of BERT-style encoders, fed when declared. */
  public static final String ATTENTION_MASK = "attention_mask";

  /** The segment of each token, all 0 for one text: fed when the encoder declares it. */
  public static final String TOKEN_TYPE_IDS = "token_type_ids";

  public static final String TEXT_FEATURES = "text_features";
  public static final String IMAGE = "image";
  public static final String MASK_LOGITS = "mask_logits";
  static final int CACHED_QUERIES = 16;

  private final ModelBundle bundle;
  private final GraphSession textEncoder;
  private final GraphSession segmenter;
  private final ProviderReport provider;
  private final int featureDim;
  private final Map<String, QueryFeatures> cache =
      new LinkedHashMap<>(32, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, QueryFeatures> eldest) {
          return size() > CACHED_QUERIES;
        }
      };
  private final AtomicLong textEncoderRuns = new AtomicLong();
  // One direct input buffer per calling thread, grown when needed: ONNX Runtime reads a direct
  // buffer in place, while a heap array would be copied into a fresh direct buffer every call.
  private final ThreadLocal<FloatBuffer> imageBuffer = new ThreadLocal<>();

  private DiffrisModel(
      ModelBundle bundle, GraphSession textEncoder, GraphSession segmenter, ProviderReport provider)
      throws BundleFileException {
    this.bundle = bundle;
    this.textEncoder = textEncoder;
    this.segmenter = segmenter;
    this.provider = provider;
    this.featureDim = checkContract();
  }

  /**
   * Opens both sessions. With {@code auto}, CUDA device 0 is tried first and CPU used when it
   * cannot start; {@link #provider()} says which ran and why.
   *
   * @throws ProviderUnavailableException when {@code cuda} was asked for and cannot run
   * @throws BundleFileException when a graph does not load or breaks the contract
   */
  public static DiffrisModel open(ModelBundle bundle, SessionSettings settings) throws IOException {
    ExecutionProvider requested = settings.provider();
    if (requested.kind() != ExecutionProvider.Kind.AUTO) {
      return open(bundle, settings, requested, "");
    }
    try {
      return open(bundle, settings, ExecutionProvider.cuda(0), "");
    } catch (ProviderUnavailableException e) {
      return open(
          bundle, settings, ExecutionProvider.CPU, "auto: CUDA not available, " + e.reason());
    }
  }

  private static DiffrisModel open(
      ModelBundle bundle, SessionSettings settings, ExecutionProvider provider, String note)
      throws IOException {
    SessionSettings resolved =
        new SessionSettings(provider, settings.intraOpThreads(), settings.interOpThreads());
    ProviderReport report =
        new ProviderReport(
            settings.provider(),
            provider.kind() == ExecutionProvider.Kind.CUDA ? "CUDA" : "CPU",
            provider.deviceId(),
            note);
    GraphSession text = textEncoderSession(bundle, resolved);
    try {
      GraphSession seg = session(bundle, ModelBundle.SEGMENTER_FILE, resolved);
      try {
        return new DiffrisModel(bundle, text, seg, report);
      } catch (IOException | RuntimeException e) {
        seg.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      text.close();
      throw e;
    }
  }

  /** The bundle's own text encoder, or the pretrained one model.json names (class path). */
  private static GraphSession textEncoderSession(ModelBundle bundle, SessionSettings settings)
      throws IOException {
    Optional<TextEncoderSource> source = bundle.description().text().encoder();
    if (source.isEmpty()) {
      return session(bundle, ModelBundle.TEXT_ENCODER_FILE, settings);
    }
    return GraphSession.open(source.get().entry(), source.get().read(), settings);
  }

  /** From the file for a folder bundle (ONNX Runtime maps it), from bytes for a zip. */
  private static GraphSession session(ModelBundle bundle, String file, SessionSettings settings)
      throws IOException {
    Optional<Path> path = bundle.pathOf(file);
    return path.isPresent()
        ? GraphSession.open(file, path.get(), settings)
        : GraphSession.open(file, bundle.read(file), settings);
  }

  /** The pretrained encoder model.json names, if any (else the bundle's own text_encoder.onnx). */
  private Optional<TextEncoderSource> encoderSource() {
    return bundle.description().text().encoder();
  }

  /** The text encoder's per-token output: {@code text_features}, or as text.encoder names it. */
  private String textFeaturesOutput() {
    return encoderSource().map(TextEncoderSource::output).orElse(TEXT_FEATURES);
  }

  private TextPooling textPooling() {
    return encoderSource().map(TextEncoderSource::pooling).orElse(TextPooling.NONE);
  }

  /** Validates names, types and ranks; returns the text feature size D. */
  private int checkContract() throws BundleFileException {
    ModelDescription d = bundle.description();
    int length = d.text().maxLength();
    textEncoder.requireInput(INPUT_IDS, OnnxJavaType.INT64, -1, length);
    for (String optional : List.of(ATTENTION_MASK, TOKEN_TYPE_IDS)) {
      if (textEncoder.hasInput(optional)) {
        textEncoder.requireInput(optional, OnnxJavaType.INT64, -1, length);
      }
    }
    long[] features =
        textEncoder.requireOutput(textFeaturesOutput(), OnnxJavaType.FLOAT, -1, length, -1);
    long[] segFeatures =
        segmenter.requireInput(TEXT_FEATURES, OnnxJavaType.FLOAT, -1, length, features[2]);
    segmenter.requireInput(IMAGE, OnnxJavaType.FLOAT, -1, d.image().channels(), -1, -1);
    segmenter.requireOutput(MASK_LOGITS, OnnxJavaType.FLOAT, -1, 1, -1, -1);
    long dim = features[2] >= 0 ? features[2] : segFeatures[2];
    if (d.output().stride() != 1) {
      throw new BundleFileException(
          ModelBundle.DESCRIPTION_FILE,
          "field output.stride is "
              + d.output().stride()
              + "; this runtime takes full-resolution logits only (stride 1)");
    }
    return (int) dim; // -1: known only after the first text encoder run
  }

  public ModelDescription description() {
    return bundle.description();
  }

  public ModelBundle bundle() {
    return bundle;
  }

  /** The execution provider that runs both graphs. */
  public ProviderReport provider() {
    return provider;
  }

  /** The text features of a query, from the cache or one text encoder run. */
  public QueryFeatures encode(String query) {
    synchronized (cache) {
      QueryFeatures cached = cache.get(query);
      if (cached != null) {
        return cached;
      }
    }
    QueryFeatures features = runTextEncoder(query);
    synchronized (cache) {
      cache.putIfAbsent(query, features);
      return cache.get(query);
    }
  }

  private QueryFeatures runTextEncoder(String query) {
    TokenizedText tokens = bundle.tokenizer().encode(query);
    long[] ids = tokens.idsAsLongs();
    long[] shape1 = {1, ids.length};
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape1);
        OnnxTensor mask =
            OnnxTensor.createTensor(env, LongBuffer.wrap(tokens.attentionMask()), shape1);
        OnnxTensor types =
            OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape1);
        OrtSession.Result result = textEncoder.run(textInputs(input, mask, types), null)) {
      String textFeatures = textFeaturesOutput();
      OnnxTensor out = (OnnxTensor) result.get(textFeatures).orElseThrow();
      long[] shape = out.getInfo().getShape();
      if (shape.length != 3
          || shape[0] != 1
          || shape[1] != ids.length
          || (featureDim >= 0 && shape[2] != featureDim)) {
        throw new IllegalStateException(
            ModelBundle.TEXT_ENCODER_FILE
                + ": output "
                + textFeatures
                + " came out as "
                + Arrays.toString(shape)
                + ", expected [1,"
                + ids.length
                + ",D]");
      }
      FloatBuffer buffer = out.getFloatBuffer();
      float[] values = new float[buffer.remaining()];
      buffer.get(values);
      textPooling().apply(values, tokens.attentionMask(), (int) shape[2]);
      textEncoderRuns.incrementAndGet();
      return new QueryFeatures(query, ids.length, (int) shape[2], values);
    } catch (OrtException e) {
      throw new IllegalStateException(
          ModelBundle.TEXT_ENCODER_FILE + " failed to run: " + e.getMessage(), e);
    }
  }

  private Map<String, OnnxTensor> textInputs(OnnxTensor ids, OnnxTensor mask, OnnxTensor types) {
    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    inputs.put(INPUT_IDS, ids);
    if (textEncoder.hasInput(ATTENTION_MASK)) {
      inputs.put(ATTENTION_MASK, mask);
    }
    if (textEncoder.hasInput(TOKEN_TYPE_IDS)) {
      inputs.put(TOKEN_TYPE_IDS, types);
    }
    return inputs;
  }

  /** A model for one query: the text encoder has run (once), every tile runs the segmenter only. */
  public TileModel forQuery(String query) {
    return new QueryModel(encode(query));
  }

  /** How many times the text encoder has run since {@link #open}. */
  public long textEncoderRuns() {
    return textEncoderRuns.get();
  }

  /** Time spent inside ONNX Runtime by the segmenter, all callers together, nanoseconds. */
  public long segmenterNanos() {
    return segmenter.runNanos();
  }

  @Override
  public void close() {
    try {
      segmenter.close();
    } finally {
      textEncoder.close();
    }
  }

  /** The text features of one query, {@code [tokens][dim]}. Immutable. */
  public static final class QueryFeatures {
    private final String query;
    private final int tokens;
    private final int dim;
    private final float[] values;

    QueryFeatures(String query, int tokens, int dim, float[] values) {
      this.query = query;
      this.tokens = tokens;
      this.dim = dim;
      this.values = values;
    }

    public String query() {
      return query;
    }

    public int tokens() {
      return tokens;
    }

    public int dim() {
      return dim;
    }

    /** Feature {@code d} of token {@code t}. */
    public float value(int t, int d) {
      return values[t * dim + d];
    }
  }

  /** The segmenter with one query's features, repeated per batch size once and shared. */
  private final class QueryModel implements TileModel {
    private final QueryFeatures features;
    private final Map<Integer, FloatBuffer> repeated =
        new java.util.concurrent.ConcurrentHashMap<>();

    QueryModel(QueryFeatures features) {
      this.features = features;
    }

    @Override
    public int channels() {
      return bundle.description().image().channels();
    }

    @Override
    public String provider() {
      return provider.toString();
    }

    private FloatBuffer repeatedFeatures(int count) {
      return repeated.computeIfAbsent(
          count,
          n -> {
            FloatBuffer b =
                ByteBuffer.allocateDirect(n * features.values.length * Float.BYTES)
                    .order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            for (int i = 0; i < n; i++) {
              b.put(features.values);
            }
            return b.flip().asReadOnlyBuffer();
          });
    }

    @Override
    public long predict(float[] images, int count, int height, int width, float[] logits) {
      int c = channels();
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      long[] elapsed = new long[1];
      FloatBuffer text = repeatedFeatures(count).duplicate();
      int values = count * c * height * width;
      FloatBuffer direct = imageBuffer.get();
      if (direct == null || direct.capacity() < values) {
        direct =
            ByteBuffer.allocateDirect(values * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        imageBuffer.set(direct);
      }
      direct.clear();
      direct.put(images, 0, values).flip();
      try (OnnxTensor image =
              OnnxTensor.createTensor(env, direct, new long[] {count, c, height, width});
          OnnxTensor textTensor =
              OnnxTensor.createTensor(
                  env, text, new long[] {count, features.tokens, features.dim});
          OrtSession.Result result =
              segmenter.run(Map.of(IMAGE, image, TEXT_FEATURES, textTensor), elapsed)) {
        OnnxTensor out = (OnnxTensor) result.get(MASK_LOGITS).orElseThrow();
        long[] shape = out.getInfo().getShape();
        if (!Arrays.equals(shape, new long[] {count, 1, height, width})) {
          throw new IllegalStateException(
              ModelBundle.SEGMENTER_FILE
                  + ": output "
                  + MASK_LOGITS
                  + " came out as "
                  + Arrays.toString(shape)
                  + " for input "
                  + Arrays.toString(new long[] {count, c, height, width})
                  + ", expected ["
                  + count
                  + ",1,"
                  + height
                  + ","
                  + width
                  + "]");
        }
        out.getFloatBuffer().get(logits, 0, count * height * width);
      } catch (OrtException e) {
        throw new IllegalStateException(
            ModelBundle.SEGMENTER_FILE + " failed to run: " + e.getMessage(), e);
      }
      return elapsed[0];
    }
  }
}
