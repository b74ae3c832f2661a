package org.diffris.cli.io;

import java.io.Closeable;
import java.io.IOException;
import org.diffris.vectorizer.VectorizedRegion;

/**
 * A vector output that takes regions one at a time, so a raster with millions of regions never
 * holds them all in memory. {@link #finish()} completes the file; {@link #close()} without it
 * leaves an incomplete file for the caller to delete.
 */
public interface RegionWriter extends Closeable {
  void write(VectorizedRegion region) throws IOException;

  /** Completes the file (extent, closing brackets, commit). */
  void finish() throws IOException;
}
