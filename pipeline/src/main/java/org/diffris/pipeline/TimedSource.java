package org.diffris.pipeline;

import java.io.IOException;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import org.diffris.runtime.tiling.RasterSource;

/** A raster source that adds up the time its reads take, for a run's report. Thread-safe. */
final class TimedSource implements RasterSource {
  private final RasterSource source;
  private final AtomicLong nanos = new AtomicLong();

  TimedSource(RasterSource source) {
    this.source = source;
  }

  long nanos() {
    return nanos.get();
  }

  @Override
  public int width() {
    return source.width();
  }

  @Override
  public int height() {
    return source.height();
  }

  @Override
  public int bandCount() {
    return source.bandCount();
  }

  @Override
  public OptionalDouble nodata(int band) {
    return source.nodata(band);
  }

  @Override
  public void read(int x, int y, int width, int height, int[] bands, float[] dest)
      throws IOException {
    long start = System.nanoTime();
    try {
      source.read(x, y, width, height, bands, dest);
    } finally {
      nanos.addAndGet(System.nanoTime() - start);
    }
  }
}
