package org.diffris.geoserver;

import java.io.IOException;
import java.nio.file.Path;
import org.diffris.pipeline.Segmenter;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;

/**
 * The model this JVM serves: one {@link Segmenter} (and one {@link InferenceGate}) for the
 * current settings' bundle, device and threads, loaded on first use and shared by every request
 * after it.
 *
 * <p>Life cycle: a request takes a {@link Lease} and closes it when done. When the settings name
 * another model (a changed {@code diffris.model}, device or thread count), the next request loads
 * it and the old one is retired: it serves the requests that hold it and is closed when the last
 * of them ends, so a running job is never cut off and no session outlives its last job. A load
 * that fails is not remembered and leaves the current model in place, so fixing the configuration
 * needs no restart. Thread-safe.
 */
public final class LoadedModels {
  private record Key(Path location, ExecutionProvider device, int threads) {}

  /** A loaded model, the requests using it, and whether a newer one replaced it. */
  private static final class Loaded {
    final Key key;
    final Segmenter segmenter;
    final InferenceGate gate;
    int users;
    boolean retired;

    Loaded(Key key, Segmenter segmenter, InferenceGate gate) {
      this.key = key;
      this.segmenter = segmenter;
      this.gate = gate;
    }

    void closeIfDone() {
      if (retired && users == 0) {
        segmenter.close();
      }
    }
  }

  /** One request's hold on a model; closing it lets a retired model close. */
  public static final class Lease implements AutoCloseable {
    private final Loaded loaded;
    private boolean closed;

    private Lease(Loaded loaded) {
      this.loaded = loaded;
    }

    public Segmenter segmenter() {
      return loaded.segmenter;
    }

    public InferenceGate gate() {
      return loaded.gate;
    }

    @Override
    public void close() {
      synchronized (LoadedModels.class) {
        if (!closed) {
          closed = true;
          loaded.users--;
          loaded.closeIfDone();
        }
      }
    }
  }

  private static Loaded current;

  private LoadedModels() {}

  /**
   * The model the settings name, loaded if needed; the caller closes the lease.
   *
   * @throws IOException when the bundle cannot be opened or its graphs cannot be loaded
   */
  public static synchronized Lease lease(ServerSettings settings) throws IOException {
    Key key =
        new Key(
            settings.modelLocation().toAbsolutePath().normalize(),
            settings.device(),
            settings.threads());
    if (current == null || !current.key.equals(key)) {
      Segmenter segmenter =
          Segmenter.open(
              ModelBundle.open(key.location()),
              SessionSettings.of(key.device()).withThreads(key.threads(), 1));
      replace(new Loaded(key, segmenter, new InferenceGate(settings.maxConcurrent())));
    }
    current.users++;
    return new Lease(current);
  }

  /** Retires the current model (closed once its last request ends): a plugin unload, tests. */
  public static synchronized void retireAll() {
    replace(null);
  }

  private static void replace(Loaded next) {
    Loaded old = current;
    current = next;
    if (old != null) {
      old.retired = true;
      old.closeIfDone();
    }
  }
}
