package org.diffris.cli.eval;

import org.diffris.cli.InputException;
import org.diffris.runtime.DiffrisModel;
import org.diffris.runtime.ModelDescription;
import org.diffris.runtime.tiling.TileModel;

/**
 * Scores a model on an {@link EvalSplit} (any {@link DatasetLayout}) with the preprocessing of {@code model/evaluate.py}:
 * each image's first three bands are area-averaged to the model's input size, rounded to the
 * nearest integer (ties to even, as {@code torch.round}) and clamped to 0..255, then
 * {@code (x / 255 - mean) / std} in float32; the image is one tile (no tiling, no blending); the
 * logits are resized bilinearly to the mask's own size and a pixel is predicted when its logit
 * is {@code > 0}; masks are "non-zero = object". Scores follow {@link RrsisMetrics}.
 */
public final class RefSegEvaluation {
  private final DiffrisModel model;
  private long modelNanos;

  public RefSegEvaluation(DiffrisModel model) {
    this.model = model;
  }

  /** Scores the first {@code limit} samples of {@code split}. */
  public RrsisMetrics score(EvalSplit split, int limit) throws InputException {
    ModelDescription description = model.description();
    int size = description.image().size();
    int channels = description.image().channels();
    if (channels != 3) {
      throw new InputException("eval reads RGB images; the model takes " + channels + " channels");
    }
    float[] mean = new float[3];
    float[] std = new float[3];
    for (int c = 0; c < 3; c++) {
      mean[c] = (float) description.image().mean()[c];
      std[c] = (float) description.image().std()[c];
    }
    RrsisMetrics metrics = new RrsisMetrics();
    float[] input = new float[3 * size * size];
    float[] logits = new float[size * size];
    int n = 0;
    for (EvalSample sample : split.samples()) {
      if (n++ >= limit) {
        break;
      }
      EvalImages.Planes image = EvalImages.read(sample.image(), 3);
      if (image.bands() < 3) {
        throw new InputException(
            sample.id()
                + ": image must have 3 bands (RGB), has "
                + image.bands()
                + ": "
                + sample.image());
      }
      int plane = image.width() * image.height();
      for (int c = 0; c < 3; c++) {
        float[] band = new float[plane];
        System.arraycopy(image.values(), c * plane, band, 0, plane);
        float[] resized =
            ModelResolution.areaAverage(band, image.height(), image.width(), size, size);
        for (int i = 0; i < resized.length; i++) {
          float v = (float) Math.min(255, Math.max(0, Math.rint(resized[i])));
          input[c * size * size + i] = (v / 255.0f - mean[c]) / std[c];
        }
      }
      EvalSample.BinaryMask truth = sample.mask().read();
      TileModel tileModel = model.forQuery(sample.expression());
      modelNanos += tileModel.predict(input, 1, size, size, logits);
      float[] up = ModelResolution.bilinear(logits, size, size, truth.height(), truth.width());
      boolean[] predicted = new boolean[up.length];
      for (int i = 0; i < up.length; i++) {
        predicted[i] = up[i] > 0;
      }
      metrics.add(predicted, truth.values(), sample.type());
    }
    return metrics;
  }

  /** Time inside ONNX Runtime's segmenter so far, nanoseconds. */
  public long modelNanos() {
    return modelNanos;
  }
}
