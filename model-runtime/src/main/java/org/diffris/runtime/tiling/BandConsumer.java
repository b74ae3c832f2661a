package org.diffris.runtime.tiling;

import java.io.IOException;

/**
 * Receives the final probabilities of consecutive full-width row bands, top to bottom, as soon as
 * no later tile can change them. Maps 1:1 onto the vectorizer's
 * {@code MaskBand.probabilities(firstRow, width, height, probabilities, valid)}. The arrays are
 * fresh for every band and belong to the consumer.
 */
@FunctionalInterface
public interface BandConsumer {
  /**
   * @param probabilities {@code width * height} values in 0..1, row-major; 0 at nodata
   * @param valid {@code width * height} flags, 0 = nodata
   */
  void accept(int firstRow, int height, float[] probabilities, byte[] valid) throws IOException;
}
