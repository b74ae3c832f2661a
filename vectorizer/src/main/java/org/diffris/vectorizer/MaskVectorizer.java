package org.diffris.vectorizer;

import java.util.List;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * Streaming mask-to-polygon engine. Work in progress: the API is final, the engine follows.
 */
public final class MaskVectorizer {

  private final int width;
  private final int height;

  public MaskVectorizer(int width, int height, PixelToWorld transform, VectorizerOptions options,
                        GeometryFactory factory) {
    this.width = width;
    this.height = height;
  }

  /** Feeds the next band; bands must be contiguous, top to bottom, full width. */
  public void accept(MaskBand band) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** Ends the stream and returns the regions, largest area first, ties by first pixel. */
  public List<VectorizedRegion> finish() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** One-shot: vectorizes a band holding the whole raster. */
  public static List<VectorizedRegion> vectorize(MaskBand whole, int width, int height,
                                                 PixelToWorld t, VectorizerOptions o,
                                                 GeometryFactory f) {
    MaskVectorizer v = new MaskVectorizer(width, height, t, o, f);
    v.accept(whole);
    return v.finish();
  }
}
