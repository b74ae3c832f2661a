package org.diffris.vectorizer;

/**
 * Which mask pixels belong to the same region. {@link #FOUR} (the default, as in GDAL's
 * polygonize) joins pixels sharing an edge; {@link #EIGHT} also joins pixels sharing only a
 * corner.
 */
public enum Connectivity {
  /** Pixels sharing an edge are connected. */
  FOUR,
  /** Pixels sharing an edge or a corner are connected. */
  EIGHT
}
