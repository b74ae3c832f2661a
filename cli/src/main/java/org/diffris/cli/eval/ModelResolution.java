package org.diffris.cli.eval;

/**
 * The two resizings of the Python evaluation ({@code model/evaluate.py} with
 * {@code model/diffris/training/data.py}), reproduced operation for operation so that Java and
 * Python score the same model alike:
 *
 * <ul>
 *   <li>{@link #areaAverage}: PyTorch's {@code F.interpolate(mode="area")}, i.e. adaptive
 *       average pooling: output cell {@code i} averages input rows {@code floor(i * in / out)} to
 *       {@code ceil((i + 1) * in / out) - 1} (and the same for columns); identity at equal size.
 *   <li>{@link #bilinear}: {@code F.interpolate(mode="bilinear", align_corners=False)}: source
 *       coordinate {@code (dst + 0.5) * in / out - 0.5}, clamped at 0, neighbour clamped at the
 *       last row/column, computed in float as PyTorch's CPU kernel does.
 * </ul>
 */
public final class ModelResolution {
  private ModelResolution() {}

  /**
   * Area-averages one {@code inH x inW} plane to {@code outH x outW}.
   */
  public static float[] areaAverage(float[] in, int inH, int inW, int outH, int outW) {
    if (inH == outH && inW == outW) {
      return in.clone();
    }
    float[] out = new float[outH * outW];
    for (int oy = 0; oy < outH; oy++) {
      int y0 = (int) ((long) oy * inH / outH);
      int y1 = (int) (((long) (oy + 1) * inH + outH - 1) / outH);
      for (int ox = 0; ox < outW; ox++) {
        int x0 = (int) ((long) ox * inW / outW);
        int x1 = (int) (((long) (ox + 1) * inW + outW - 1) / outW);
        float sum = 0;
        for (int y = y0; y < y1; y++) {
          for (int x = x0; x < x1; x++) {
            sum += in[y * inW + x];
          }
        }
        out[oy * outW + ox] = sum / (y1 - y0) / (x1 - x0);
      }
    }
    return out;
  }

  /** Bilinear resize of one {@code inH x inW} plane to {@code outH x outW} (align_corners=False). */
  public static float[] bilinear(float[] in, int inH, int inW, int outH, int outW) {
    if (inH == outH && inW == outW) {
      return in.clone();
    }
    float scaleH = (float) inH / outH;
    float scaleW = (float) inW / outW;
    int[] x0 = new int[outW];
    int[] x1 = new int[outW];
    float[] wx = new float[outW];
    for (int ox = 0; ox < outW; ox++) {
      float src = Math.max(0f, scaleW * (ox + 0.5f) - 0.5f);
      x0[ox] = (int) src;
      x1[ox] = x0[ox] + (x0[ox] < inW - 1 ? 1 : 0);
      wx[ox] = src - x0[ox];
    }
    float[] out = new float[outH * outW];
    for (int oy = 0; oy < outH; oy++) {
      float src = Math.max(0f, scaleH * (oy + 0.5f) - 0.5f);
      int y0 = (int) src;
      int y1 = y0 + (y0 < inH - 1 ? 1 : 0);
      float h1 = src - y0;
      float h0 = 1f - h1;
      for (int ox = 0; ox < outW; ox++) {
        float w1 = wx[ox];
        float w0 = 1f - w1;
        out[oy * outW + ox] =
            h0 * (w0 * in[y0 * inW + x0[ox]] + w1 * in[y0 * inW + x1[ox]])
                + h1 * (w0 * in[y1 * inW + x0[ox]] + w1 * in[y1 * inW + x1[ox]]);
      }
    }
    return out;
  }
}
