package org.diffris.geoserver;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.diffris.runtime.DiffrisModel;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;

/**
 * The loaded models of this JVM: one {@link DiffrisModel} (and one {@link InferenceGate}) per
 * bundle location and device, loaded on first use and shared by every request after it. Loading
 * is done once even when many requests arrive together; a load that fails is not remembered, so
 * fixing the configuration needs no restart. Thread-safe.
 */
public final class SharedModels {
  /** A loaded model with its concurrency cap. */
  public record Loaded(DiffrisModel model, InferenceGate gate, Path location) {}

  private record Key(Path location, ExecutionProvider device, int threads) {}

  private static final Map<Key, Loaded> LOADED = new ConcurrentHashMap<>();

  private SharedModels() {}

  /**
   * The model the settings name, loading it if needed.
   *
   * @throws IOException when the bundle cannot be opened or its graphs cannot be loaded
   */
  public static Loaded get(ServerSettings settings) throws IOException {
    Path location = settings.modelLocation().toAbsolutePath().normalize();
    Key key = new Key(location, settings.device(), settings.threads());
    Loaded loaded = LOADED.get(key);
    if (loaded != null) {
      return loaded;
    }
    synchronized (SharedModels.class) {
      loaded = LOADED.get(key);
      if (loaded == null) {
        ModelBundle bundle = ModelBundle.open(location);
        DiffrisModel model = DiffrisModel.open(bundle,
            SessionSettings.of(settings.device()).withThreads(settings.threads(), 1));
        loaded = new Loaded(model, new InferenceGate(settings.maxConcurrent()), location);
        LOADED.put(key, loaded);
      }
      return loaded;
    }
  }

  /** Closes and forgets every loaded model (tests; a plugin reload). */
  public static synchronized void closeAll() {
    for (Loaded l : LOADED.values()) {
      l.model().close();
    }
    LOADED.clear();
  }
}
