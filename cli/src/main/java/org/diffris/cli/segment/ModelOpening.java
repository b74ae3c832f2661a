package org.diffris.cli.segment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.diffris.pipeline.Segmenter;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.onnx.SessionSettings;

/**
 * A model being loaded on a background thread while the caller opens the raster (both take
 * seconds). {@link #take} hands it over (the caller closes it); {@link #close} closes it when it
 * was never taken, so no session outlives a failed run.
 */
public final class ModelOpening implements AutoCloseable {
  private final CompletableFuture<Segmenter> future;
  private boolean taken;

  public ModelOpening(ModelBundle bundle, SessionSettings settings) {
    this.future =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return Segmenter.open(bundle, settings);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }

  /**
   * The loaded model, once it is.
   *
   * @throws IOException when a graph cannot be loaded
   */
  public Segmenter take() throws IOException {
    try {
      Segmenter segmenter = future.join();
      taken = true;
      return segmenter;
    } catch (CompletionException e) {
      Throwable cause =
          e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw cause instanceof RuntimeException r ? r : e;
    }
  }

  @Override
  public void close() {
    if (!taken) {
      try {
        future.join().close();
      } catch (RuntimeException e) {
        // it failed to open: nothing to close
      }
    }
  }
}
