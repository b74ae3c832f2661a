package org.diffris.cli.io;

import java.io.Closeable;
import java.io.IOException;
import org.diffris.vectorizer.RegionSink;

/**
 * A vector output that takes regions one at a time ({@link #accept}), so a raster with millions of regions never
 * holds them all in memory. {@link #finish()} completes the file; {@link #close()} without it
 * leaves an incomplete file for the caller to delete.
 */
public interface RegionWriter extends RegionSink, Closeable {
  /** Completes the file (extent, closing brackets, commit). */
  void finish() throws IOException;
}
