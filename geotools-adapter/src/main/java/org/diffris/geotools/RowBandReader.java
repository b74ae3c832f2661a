package org.diffris.geotools;

import java.io.IOException;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.diffris.vectorizer.MaskBand;

/**
 * The bands of rows of a {@link MaskReader}, top to bottom, each decoded on a background thread
 * while the caller works on the previous one (decoding and vectorizing overlap on two cores).
 * At most two bands exist at a time: the one handed out and the one being decoded.
 */
public final class RowBandReader implements AutoCloseable {
  private final MaskReader raster;
  private final Double threshold;
  private final int step;
  private final ExecutorService decoder =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "diffris-band-decoder");
            t.setDaemon(true);
            return t;
          });
  private int nextRow;
  private Future<MaskBand> pending;

  /**
   * @param threshold null to read a binary mask, else the probability threshold (pixels at or
   *     above it are in)
   */
  public RowBandReader(MaskReader raster, Double threshold) {
    this.raster = raster;
    this.threshold = threshold;
    this.step = raster.raster().rowsPerRead();
    pending = submitNext();
  }

  public boolean hasNext() {
    return pending != null;
  }

  /**
   * The next band; decoding of the one after it starts at once.
   *
   * @throws IOException when the band cannot be decoded
   */
  public MaskBand next() throws IOException {
    if (pending == null) {
      throw new NoSuchElementException("no rows left");
    }
    MaskBand band;
    try {
      band = pending.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the raster", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    }
    pending = submitNext();
    return band;
  }

  private Future<MaskBand> submitNext() {
    int height = raster.raster().height();
    if (nextRow >= height) {
      return null;
    }
    int first = nextRow;
    int rows = Math.min(step, height - first);
    nextRow += rows;
    return decoder.submit(
        () ->
            threshold != null
                ? raster.readProbabilities(first, rows, threshold)
                : raster.readBinary(first, rows));
  }

  @Override
  public void close() {
    decoder.shutdownNow();
  }
}
