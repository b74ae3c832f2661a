package org.diffris.runtime.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The HuggingFace tokenizers (through DJL) our tokenizer is checked against, set up the two ways
 * the tests compare, and our side of the untruncated comparison.
 */
final class DjlTokenizers {
  private DjlTokenizers() {}

  /** Whole sequences: no truncation, no padding. */
  static HuggingFaceTokenizer untruncated(Path json) throws IOException {
    return HuggingFaceTokenizer.builder()
        .optTokenizerPath(json)
        .optTruncation(false)
        .optPadding(false)
        .build();
  }

  /** CLIP's 77 ids: truncated and padded to {@link ClipTokenizer#CLIP_MAX_LENGTH}. */
  static HuggingFaceTokenizer clipLength(Path json) throws IOException {
    return ofLength(json, ClipTokenizer.CLIP_MAX_LENGTH);
  }

  /** A model's fixed number of ids: truncated and padded to {@code maxLength}. */
  static HuggingFaceTokenizer ofLength(Path json, int maxLength) throws IOException {
    return HuggingFaceTokenizer.builder()
        .optTokenizerPath(json)
        .optMaxLength(maxLength)
        .optTruncation(true)
        .optPadToMaxLength()
        .build();
  }

  /** The untruncated sequence: start token, {@link ClipTokenizer#tokenIds}, end token. */
  static int[] withStartAndEnd(ClipTokenizer tokenizer, String text) {
    int[] body = tokenizer.tokenIds(text);
    int[] ids = new int[body.length + 2];
    ids[0] = tokenizer.vocabulary().startId();
    System.arraycopy(body, 0, ids, 1, body.length);
    ids[ids.length - 1] = tokenizer.vocabulary().endId();
    return ids;
  }
}
