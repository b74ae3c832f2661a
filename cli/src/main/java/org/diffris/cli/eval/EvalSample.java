package org.diffris.cli.eval;

import java.nio.file.Path;
import org.diffris.cli.InputException;

/**
 * One sample of an evaluation split: an id, a type for the per-type table ({@code "unknown"} when
 * the layout has none), the referring expression, the image file and the ground-truth mask at the
 * image's resolution, read when asked.
 */
public record EvalSample(String id, String type, String expression, Path image, MaskSource mask) {

  /** Reads a ground-truth mask. */
  @FunctionalInterface
  public interface MaskSource {
    BinaryMask read() throws InputException;
  }

  /** A binary mask, row-major, {@code true} = object. */
  public record BinaryMask(int width, int height, boolean[] values) {}
}
