package org.diffris.runtime.text;

import java.util.Arrays;
import java.util.List;

/**
 * How a pretrained encoder's last hidden state becomes the segmenter's text features (model.json
 * {@code text.encoder.pooling}), the same rule the model was trained with ({@code pool_text} in
 * model/diffris/nn/model.py).
 *
 * <ul>
 *   <li>{@code none}: the hidden state as it is.
 *   <li>{@code mean-at-cls}: the mean over the real tokens (attention mask 1) in place of the
 *       first token ([CLS]), and the padding (mask 0) set to zero. The mean is the sentence
 *       embedding such encoders are trained to give, so paraphrases with different words land
 *       near each other.
 * </ul>
 */
public enum TextPooling {
  NONE("none"),
  MEAN_AT_CLS("mean-at-cls");

  private final String key;

  TextPooling(String key) {
    this.key = key;
  }

  /** The name model.json uses. */
  public String key() {
    return key;
  }

  public static List<String> keys() {
    return List.of(NONE.key, MEAN_AT_CLS.key);
  }

  public static TextPooling fromKey(String key) {
    for (TextPooling p : values()) {
      if (p.key.equals(key)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown text pooling \"" + key + "\"; known: " + keys());
  }

  /**
   * Applies the rule in place to {@code features} ({@code [tokens][dim]}, row-major) given the
   * tokenizer's attention mask; returns {@code features}.
   *
   * @throws IllegalArgumentException when the sizes disagree or no token is real
   */
  public float[] apply(float[] features, long[] mask, int dim) {
    if (this == NONE) {
      return features;
    }
    int tokens = mask.length;
    if (dim <= 0 || features.length != tokens * dim) {
      throw new IllegalArgumentException(
          features.length + " features are not " + tokens + " tokens of " + dim);
    }
    double[] sum = new double[dim];
    int real = 0;
    for (int t = 0; t < tokens; t++) {
      if (mask[t] != 0) {
        real++;
        for (int d = 0; d < dim; d++) {
          sum[d] += features[t * dim + d];
        }
      } else {
        Arrays.fill(features, t * dim, (t + 1) * dim, 0f);
      }
    }
    if (real == 0) {
      throw new IllegalArgumentException("the attention mask has no real token");
    }
    for (int d = 0; d < dim; d++) {
      features[d] = (float) (sum[d] / real);
    }
    return features;
  }
}
