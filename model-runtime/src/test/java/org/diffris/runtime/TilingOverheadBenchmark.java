package org.diffris.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.runtime.tiling.InferenceSummary;
import org.diffris.runtime.tiling.TileGrid;
import org.diffris.runtime.tiling.TiledSegmenter;

/**
 * Per-tile cost of the tiled pipeline against bare ONNX Runtime on the same tiles: the baseline
 * runs the segmenter session directly on the same number of batches of ready-made input (direct
 * buffers made once, as the ONNX Runtime samples advise; outputs copied out), the
 * pipeline reads, scales, batches, blends and streams a raster of that many tiles. Prints median
 * times of 5 runs after 2 warm-ups. Not a unit test: run it by hand, see the module README.
 *
 * <p>Arguments: {@code [bundle folder] [raster side] [batch size] [intra-op threads]}; without a
 * bundle, the analytic test graphs (a near-zero-cost segmenter, so the overhead shows in full).
 */
public final class TilingOverheadBenchmark {
  public static void main(String[] args) throws Exception {
    Path bundlePath =
        args.length > 0 && !args[0].equals("-")
            ? Path.of(args[0])
            : TestBundles.write(Files.createTempDirectory("bench-bundle"));
    int side = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    ModelBundle bundle = ModelBundle.open(bundlePath);
    SessionSettings settings = SessionSettings.of(ExecutionProvider.CPU).withThreads(threads, 1);
    try (DiffrisModel model = DiffrisModel.open(bundle, settings)) {
      TiledSegmenter tiler = TiledSegmenter.forModel(bundle.description()).batchSize(batch).build();
      RasterArray raster = new RasterArray(side, side, (b, c, r) -> (c * 3 + r * 5 + b * 40) % 256);
      TileGrid grid = new TileGrid(side, side, tiler.tileSize(), tiler.overlap());
      String query = "the white storage tanks";
      model.forQuery(query);

      long[] ours = new long[7];
      long[] oursModel = new long[7];
      long[] bare = new long[7];
      // Interleaved, so that a change in the machine's load hits both alike.
      try (Bare direct = new Bare(bundle, model.encode(query), batch, tiler.tileSize(), settings)) {
        for (int i = 0; i < ours.length; i++) {
          InferenceSummary s = tiler.run(raster, model.forQuery(query), (f, h, p, v) -> {});
          ours[i] = s.totalNanos();
          oursModel[i] = s.modelNanos();
          bare[i] = direct.run(grid.tileCount());
        }
      }
      // The pipeline alone: a model that costs nothing, with the caller thread's CPU time (the
      // wall time on a busy machine also waits for the read-ahead thread and other processes).
      org.diffris.runtime.tiling.TileModel free =
          new org.diffris.runtime.tiling.TileModel() {
            @Override
            public int channels() {
              return bundle.description().image().channels();
            }

            @Override
            public long predict(float[] images, int count, int height, int width, float[] logits) {
              Arrays.fill(logits, 0, count * height * width, 0.3f);
              return 0;
            }
          };
      java.lang.management.ThreadMXBean cpu =
          java.lang.management.ManagementFactory.getThreadMXBean();
      long[] freeWall = new long[7];
      long[] freeCpu = new long[7];
      for (int i = 0; i < freeWall.length; i++) {
        long c0 = cpu.getCurrentThreadCpuTime();
        freeWall[i] = tiler.run(raster, free, (f, h, p, v) -> {}).totalNanos();
        freeCpu[i] = cpu.getCurrentThreadCpuTime() - c0;
      }
      int tiles = grid.tileCount();
      double oursMs = median(ours) / 1e6;
      double bareMs = median(bare) / 1e6;
      System.out.printf(
          Locale.ROOT,
          "bundle %s, raster %dx%d, %d tiles of %d (overlap %d), batch %d, provider %s%n",
          bundle.description().name(),
          side,
          side,
          tiles,
          tiler.tileSize(),
          tiler.overlap(),
          batch,
          model.provider());
      System.out.printf(
          Locale.ROOT, "bare ONNX Runtime: %.1f ms (%.3f ms/tile)%n", bareMs, bareMs / tiles);
      System.out.printf(
          Locale.ROOT,
          "tiled pipeline:    %.1f ms (%.3f ms/tile), of which model_ms %.1f%n",
          oursMs,
          oursMs / tiles,
          median(oursModel) / 1e6);
      System.out.printf(
          Locale.ROOT,
          "overhead: %.3f ms/tile (%.1f %% of bare)%n",
          (oursMs - bareMs) / tiles,
          100 * (oursMs - bareMs) / bareMs);
      System.out.printf(
          Locale.ROOT,
          "pipeline with a free model: %.1f ms wall, %.1f ms CPU of the calling thread (%.3f ms/tile)%n",
          median(freeWall) / 1e6,
          median(freeCpu) / 1e6,
          median(freeCpu) / 1e6 / tiles);
    }
  }

  /** The same batches straight through a session of its own: inputs ready, outputs copied out. */
  private static final class Bare implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final FloatBuffer images;
    private final FloatBuffer text;
    private final float[] out;
    private final int batch;
    private final int channels;
    private final int size;
    private final int tokens;
    private final int dim;

    Bare(
        ModelBundle bundle,
        DiffrisModel.QueryFeatures f,
        int batch,
        int size,
        SessionSettings settings)
        throws Exception {
      this.batch = batch;
      this.size = size;
      this.channels = bundle.description().image().channels();
      this.tokens = f.tokens();
      this.dim = f.dim();
      images =
          ByteBuffer.allocateDirect(batch * channels * size * size * 4)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      while (images.hasRemaining()) {
        images.put(0.1f);
      }
      images.flip();
      text =
          ByteBuffer.allocateDirect(batch * tokens * dim * 4)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      for (int i = 0; i < batch * tokens * dim; i++) {
        text.put(f.value((i / dim) % tokens, i % dim));
      }
      text.flip();
      out = new float[batch * size * size];
      try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        if (settings.intraOpThreads() > 0) {
          options.setIntraOpNumThreads(settings.intraOpThreads());
        }
        options.setInterOpNumThreads(1);
        session = env.createSession(bundle.read(ModelBundle.SEGMENTER_FILE), options);
      }
    }

    long run(int tiles) throws Exception {
      long start = System.nanoTime();
      for (int done = 0; done < tiles; done += batch) {
        int n = Math.min(batch, tiles - done);
        FloatBuffer in = images.duplicate().limit(n * channels * size * size);
        FloatBuffer tf = text.duplicate().limit(n * tokens * dim);
        try (OnnxTensor image =
                OnnxTensor.createTensor(env, in, new long[] {n, channels, size, size});
            OnnxTensor t = OnnxTensor.createTensor(env, tf, new long[] {n, tokens, dim});
            OrtSession.Result r = session.run(Map.of("image", image, "text_features", t))) {
          ((OnnxTensor) r.get(0)).getFloatBuffer().get(out, 0, n * size * size);
        }
      }
      return System.nanoTime() - start;
    }

    @Override
    public void close() throws Exception {
      session.close();
    }
  }

  private static long median(long[] values) {
    long[] v = Arrays.copyOfRange(values, 2, values.length); // the first two are warm-ups
    Arrays.sort(v);
    return v[v.length / 2];
  }
}
