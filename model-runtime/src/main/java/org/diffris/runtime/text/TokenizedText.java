package org.diffris.runtime.text;

import java.util.Arrays;

/**
 * One text as a text encoder takes it: exactly {@code maxLength} ids, {@code <|startoftext|>},
 * the text's tokens, {@code <|endoftext|>}, then padding.
 *
 * <p>{@link #length()} counts the real tokens including the start and end tokens; the end token sits
 * at {@link #endIndex()}. Immutable: every accessor returns a fresh array.
 */
public final class TokenizedText {
  private final int[] ids;
  private final int length;
  private final boolean truncated;

  TokenizedText(int[] ids, int length, boolean truncated) {
    this.ids = ids;
    this.length = length;
    this.truncated = truncated;
  }

  /** The ids, padded to the tokenizer's maximum length. */
  public int[] ids() {
    return ids.clone();
  }

  /** The ids as {@code long}s, the {@code int64 input_ids} an ONNX text encoder takes. */
  public long[] idsAsLongs() {
    long[] out = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = ids[i];
    }
    return out;
  }

  /** 1 for the real tokens (start, text, end), 0 for padding. */
  public long[] attentionMask() {
    long[] mask = new long[ids.length];
    Arrays.fill(mask, 0, length, 1L);
    return mask;
  }

  /** Number of real tokens, start and end tokens included. */
  public int length() {
    return length;
  }

  /** Position of the end-of-text token (the one CLIP pools from). */
  public int endIndex() {
    return length - 1;
  }

  /** Whether tokens of the text were dropped to fit the maximum length. */
  public boolean truncated() {
    return truncated;
  }

  @Override
  public String toString() {
    return "TokenizedText"
        + Arrays.toString(Arrays.copyOf(ids, length))
        + (truncated ? " (truncated)" : "")
        + " + "
        + (ids.length - length)
        + " padding";
  }
}
