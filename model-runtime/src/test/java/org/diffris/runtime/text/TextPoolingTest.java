package org.diffris.runtime.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TextPoolingTest {
  // three tokens of two features: [CLS], a word, padding
  private static float[] features() {
    return new float[] {1f, 2f, 3f, 6f, 9f, 9f};
  }

  @Test
  void noneLeavesTheFeaturesAsTheyAre() {
    float[] f = features();
    assertSame(f, TextPooling.NONE.apply(f, new long[] {1, 1, 0}, 2));
    assertArrayEquals(features(), f);
  }

  @Test
  void meanAtClsAveragesTheRealTokensOnlyAndZeroesThePadding() {
    float[] f = TextPooling.MEAN_AT_CLS.apply(features(), new long[] {1, 1, 0}, 2);
    assertArrayEquals(new float[] {2f, 4f, 3f, 6f, 0f, 0f}, f);
  }

  @Test
  void aTypedPadInsideTheTextCountsAsARealToken() {
    // the mask, not the id, says what is padding (a "[PAD]" typed by the user has mask 1)
    float[] f = TextPooling.MEAN_AT_CLS.apply(features(), new long[] {1, 1, 1}, 2);
    assertArrayEquals(new float[] {13f / 3, 17f / 3, 3f, 6f, 9f, 9f}, f, 1e-6f);
  }

  @Test
  void sizesThatDisagreeOrNoRealTokenAreRefused() {
    IllegalArgumentException size =
        assertThrows(
            IllegalArgumentException.class,
            () -> TextPooling.MEAN_AT_CLS.apply(features(), new long[] {1, 1}, 2));
    assertTrue(size.getMessage().contains("not 2 tokens of 2"), size.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> TextPooling.MEAN_AT_CLS.apply(features(), new long[] {0, 0, 0}, 2));
    IllegalArgumentException key =
        assertThrows(IllegalArgumentException.class, () -> TextPooling.fromKey("max"));
    assertTrue(key.getMessage().contains("none, mean-at-cls"), key.getMessage());
  }
}
