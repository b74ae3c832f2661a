package org.diffris.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.diffris.runtime.BundleFileException;

/**
 * One ONNX graph of a model bundle in one long-lived ONNX Runtime session, with the tensor
 * contract of its inputs and outputs checked on load.
 *
 * <p>Thread-safe: ONNX Runtime allows concurrent {@code run} calls on one session, so one instance
 * is shared by every caller. {@link #run} accumulates the time spent inside ONNX Runtime.
 */
public final class GraphSession implements AutoCloseable {
  /** Sessions of this JVM opened and not yet closed: how a host proves it leaks none. */
  private static final AtomicInteger OPEN = new AtomicInteger();

  private final String file;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final OrtSession session;
  private final AtomicLong runNanos = new AtomicLong();
  private final AtomicLong runs = new AtomicLong();

  private GraphSession(String file, OrtSession session) {
    this.file = file;
    this.session = session;
    OPEN.incrementAndGet();
  }

  /** Sessions opened in this JVM and not closed yet (all bundles, all callers). */
  public static int openSessions() {
    return OPEN.get();
  }

  /**
   * Makes a session of the graph in {@code model} on the given provider (CPU or CUDA, never AUTO:
   * callers resolve that first).
   *
   * @param file the bundle-relative name, for messages
   * @throws ProviderUnavailableException when CUDA is asked for and cannot be used
   * @throws BundleFileException when ONNX Runtime cannot read the graph
   */
  public static GraphSession open(String file, byte[] model, SessionSettings settings)
      throws BundleFileException {
    return open(file, model, null, settings);
  }

  /**
   * As {@link #open(String, byte[], SessionSettings)} for a graph file on disk, which ONNX Runtime
   * reads itself (no 2 GB array limit; external weight files beside it are found).
   */
  public static GraphSession open(String file, Path model, SessionSettings settings)
      throws BundleFileException {
    return open(file, null, model, settings);
  }

  private static GraphSession open(String file, byte[] bytes, Path path, SessionSettings settings)
      throws BundleFileException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    ExecutionProvider provider = settings.provider();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      if (settings.intraOpThreads() > 0) {
        options.setIntraOpNumThreads(settings.intraOpThreads());
      }
      if (settings.interOpThreads() > 0) {
        options.setInterOpNumThreads(settings.interOpThreads());
      }
      if (provider.kind() == ExecutionProvider.Kind.CUDA) {
        addCuda(options, provider);
      } else if (provider.kind() == ExecutionProvider.Kind.AUTO) {
        throw new IllegalArgumentException(
            "resolve 'auto' to cpu or cuda before opening a session");
      }
      try {
        OrtSession session =
            bytes != null
                ? env.createSession(bytes, options)
                : env.createSession(path.toString(), options);
        return new GraphSession(file, session);
      } catch (OrtException e) {
        if (provider.kind() == ExecutionProvider.Kind.CUDA) {
          throw new ProviderUnavailableException(
              "CUDA ("
                  + provider
                  + ") could not start a session for "
                  + file
                  + ": "
                  + e.getMessage()
                  + "; check the GPU index, CUDA 12 and cuDNN 9, or use cpu or auto",
              "CUDA could not start a session: " + e.getMessage(),
              e);
        }
        throw new BundleFileException(
            file, "ONNX Runtime cannot load this graph: " + e.getMessage(), e);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime session options failed: " + e.getMessage(), e);
    }
  }

  private static void addCuda(OrtSession.SessionOptions options, ExecutionProvider provider) {
    if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      throw new ProviderUnavailableException(
          "CUDA was requested ("
              + provider
              + ") but this ONNX Runtime build has no CUDA provider"
              + " (it has "
              + OrtEnvironment.getAvailableProviders()
              + "): it is the CPU build"
              + " com.microsoft.onnxruntime:onnxruntime. Use the GPU build (onnxruntime_gpu, Maven"
              + " profile -Pgpu) on a machine with CUDA, or choose cpu or auto",
          "this ONNX Runtime build has no CUDA provider",
          null);
    }
    try {
      options.addCUDA(provider.deviceId());
    } catch (OrtException e) {
      throw new ProviderUnavailableException(
          "CUDA was requested ("
              + provider
              + ") but its provider does not load: "
              + e.getMessage()
              + "; check CUDA 12 and cuDNN 9 are installed, or choose cpu or auto",
          "the CUDA provider does not load: " + e.getMessage(),
          e);
    }
  }

  /**
   * Checks that the graph has an input of this name, element type and rank; a fixed size given in
   * {@code dims} (not -1) must match where the graph's dimension is fixed too.
   *
   * @return the graph's shape of that input (-1 for dynamic dimensions)
   */
  public long[] requireInput(String name, OnnxJavaType type, long... dims)
      throws BundleFileException {
    return require("input", name, session.getInputNames(), infoOf(true, name), type, dims);
  }

  /** Whether the graph has an input of this name. */
  public boolean hasInput(String name) {
    return session.getInputNames().contains(name);
  }

  /** As {@link #requireInput}, for an output. */
  public long[] requireOutput(String name, OnnxJavaType type, long... dims)
      throws BundleFileException {
    return require("output", name, session.getOutputNames(), infoOf(false, name), type, dims);
  }

  private NodeInfo infoOf(boolean input, String name) throws BundleFileException {
    try {
      return (input ? session.getInputInfo() : session.getOutputInfo()).get(name);
    } catch (OrtException e) {
      throw new BundleFileException(file, "cannot read the graph's metadata: " + e.getMessage(), e);
    }
  }

  private long[] require(
      String what,
      String name,
      java.util.Set<String> names,
      NodeInfo node,
      OnnxJavaType type,
      long[] dims)
      throws BundleFileException {
    String expected = " (expected " + name + " " + typeName(type) + " " + shapeText(dims) + ")";
    if (node == null) {
      throw new BundleFileException(
          file,
          what + " '" + name + "' not found; the graph's " + what + "s are " + names + expected);
    }
    if (!(node.getInfo() instanceof TensorInfo info)) {
      throw new BundleFileException(file, what + " '" + name + "' is not a tensor" + expected);
    }
    long[] shape = info.getShape();
    if (info.type != type || shape.length != dims.length) {
      throw new BundleFileException(
          file,
          what + " '" + name + "' is " + typeName(info.type) + " " + shapeText(shape) + expected);
    }
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] >= 0 && shape[i] >= 0 && dims[i] != shape[i]) {
        throw new BundleFileException(
            file, what + " '" + name + "' has dimension " + i + " = " + shape[i] + expected);
      }
    }
    return shape;
  }

  private static String typeName(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> "float32";
      case INT64 -> "int64";
      default -> type.name().toLowerCase(Locale.ROOT);
    };
  }

  private static String shapeText(long[] dims) {
    String[] parts = new String[dims.length];
    for (int i = 0; i < dims.length; i++) {
      parts[i] = dims[i] < 0 ? "?" : Long.toString(dims[i]);
    }
    return Arrays.toString(parts).replace(" ", "");
  }

  /**
   * Runs the graph. The caller closes the result (try-with-resources); the time inside ONNX Runtime
   * is added to {@link #runNanos()} and returned through {@code elapsed} when it is not null.
   */
  public OrtSession.Result run(Map<String, ? extends OnnxTensorLike> inputs, long[] elapsed)
      throws OrtException {
    long start = System.nanoTime();
    OrtSession.Result result = session.run(inputs);
    long nanos = System.nanoTime() - start;
    runNanos.addAndGet(nanos);
    runs.incrementAndGet();
    if (elapsed != null) {
      elapsed[0] += nanos;
    }
    return result;
  }

  /** The bundle-relative file name of the graph. */
  public String file() {
    return file;
  }

  /** Total time spent inside ONNX Runtime by all callers, in nanoseconds. */
  public long runNanos() {
    return runNanos.get();
  }

  /** Number of {@link #run} calls by all callers. */
  public long runs() {
    return runs.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return; // closing twice must not count twice
    }
    OPEN.decrementAndGet();
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing the ONNX Runtime session of " + file + " failed", e);
    }
  }
}
