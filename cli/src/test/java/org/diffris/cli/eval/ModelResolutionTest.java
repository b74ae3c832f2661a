package org.diffris.cli.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/**
 * The resizings against values PyTorch 1.13 gives for the same inputs
 * ({@code F.interpolate(t, size=..., mode="area")} and {@code mode="bilinear",
 * align_corners=False}), written out here by hand from those definitions.
 */
class ModelResolutionTest {

  @Test
  void areaAveragesBlocksAndOverlappingWindows() {
    float[] in = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    // 4x4 -> 2x2: 2x2 block means
    assertArrayEquals(
        new float[] {3.5f, 5.5f, 11.5f, 13.5f}, ModelResolution.areaAverage(in, 4, 4, 2, 2));
    // 4 -> 3 along a row: windows [0,2), [1,3), [2,4) (adaptive pooling)
    assertArrayEquals(
        new float[] {1.5f, 2.5f, 3.5f},
        ModelResolution.areaAverage(new float[] {1, 2, 3, 4}, 1, 4, 1, 3));
  }

  @Test
  void bilinearHalfPixelCentres() {
    // 1x2 -> 1x4: source x = (dst + 0.5) / 2 - 0.5 = -0.25 (clamped 0), 0.25, 0.75, 1.25 (edge)
    assertArrayEquals(
        new float[] {0f, 1f, 3f, 4f},
        ModelResolution.bilinear(new float[] {0, 4}, 1, 2, 1, 4),
        1e-6f);
    // 1x4 -> 1x2: source x = 0.5 and 2.5
    assertArrayEquals(
        new float[] {1.5f, 5.5f},
        ModelResolution.bilinear(new float[] {1, 2, 5, 6}, 1, 4, 1, 2),
        1e-6f);
  }
}
