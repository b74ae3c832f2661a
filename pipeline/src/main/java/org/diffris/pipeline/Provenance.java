package org.diffris.pipeline;

import java.util.UUID;

/**
 * Where a region comes from: the raster it was found in ({@code source}) and the run that found
 * it ({@code run_id}), as every host writes them beside the other attributes ({@link
 * OutputSchema}).
 *
 * @param source the raster's file name without its folder ({@link #sourceName}), or the
 *     coverage's name on a server
 * @param runId one random UUID per run ({@link #newRunId}), the same on every region of the run
 */
public record Provenance(String source, String runId) {

  public Provenance {
    if (source == null || source.isBlank() || runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("a region's provenance needs a source and a run id");
    }
  }

  /** A new run's id: a random (version 4) UUID in its usual text form. */
  public static String newRunId() {
    return UUID.randomUUID().toString();
  }

  /**
   * The file name a path or URI ends with, without its folder: {@code scenes/port.tif},
   * {@code C:\scenes\port.tif}, {@code s3a://bucket/scenes/port.tif} and {@code
   * file:/scenes/port.tif} all give {@code port.tif}. A name without separators is returned as
   * it is.
   */
  public static String sourceName(String pathOrUri) {
    String trimmed = pathOrUri.strip();
    while (trimmed.length() > 1 && (trimmed.endsWith("/") || trimmed.endsWith("\\"))) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    int cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
    return cut < 0 ? trimmed : trimmed.substring(cut + 1);
  }
}
