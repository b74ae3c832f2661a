package org.diffris.runtime.tiling;

import java.util.concurrent.CancellationException;

/** A run stopped because its cancellation check said so (checked before every tile). */
public final class InferenceCancelledException extends CancellationException {
  private static final long serialVersionUID = 1L;

  public InferenceCancelledException(int tilesDone, int tiles) {
    super("segmentation cancelled after " + tilesDone + " of " + tiles + " tiles");
  }
}
