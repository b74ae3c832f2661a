package org.diffris.vectorizer;

import java.io.IOException;

/**
 * Where a {@link MaskVectorizer} delivers its regions: an output file, a feature list, a counter.
 * It may throw {@link IOException}, which the vectorizer passes on unchanged, so a writer needs
 * no unchecked wrapper.
 */
@FunctionalInterface
public interface RegionSink {
  void accept(VectorizedRegion region) throws IOException;
}
