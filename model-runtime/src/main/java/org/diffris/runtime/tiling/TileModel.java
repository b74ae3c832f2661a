package org.diffris.runtime.tiling;

/**
 * A segmentation model for one query, as the tiler uses it: a batch of normalized image tiles in,
 * one logit per pixel out. {@code org.diffris.runtime.DiffrisModel#forQuery} gives the ONNX one;
 * tests use plain functions.
 */
public interface TileModel {
  /** Number of input channels. */
  int channels();

  /** Where the model runs, as a run reports it (for example {@code "CPU"} or {@code "CUDA:0"}). */
  default String provider() {
    return "Java";
  }

  /**
   * Predicts logits for {@code count} tiles.
   *
   * @param images {@code [count][channels][height][width]}, row-major
   * @param logits receives {@code [count][height][width]}
   * @return nanoseconds spent inside the inference engine (0 when not measured)
   */
  long predict(float[] images, int count, int height, int width, float[] logits);
}
