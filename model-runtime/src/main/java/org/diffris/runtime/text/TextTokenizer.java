package org.diffris.runtime.text;

import java.util.List;

/**
 * What a model bundle's text encoder needs from its tokenizer: a query as exactly {@link
 * #maxLength()} ids, and the words the vocabulary barely knows (for a warning).
 *
 * <p>Two kinds exist, named by model.json's {@code text.tokenizer}: CLIP's byte-level BPE ({@link
 * ClipTokenizer}, the SD 1.5 path) and BERT's WordPiece ({@link WordPieceTokenizer}, the pretrained
 * sentence encoders). Implementations are immutable and thread-safe.
 */
public interface TextTokenizer {
  /** The text as exactly {@link #maxLength()} ids: start token, text tokens, end token, padding. */
  TokenizedText encode(String text);

  /** Ids per encoded text, start and end tokens included. */
  int maxLength();

  /**
   * The words of {@code text} the vocabulary barely knows, in order: words it can only spell out
   * piece by piece (fewer than 1.2 UTF-8 bytes a piece) or cannot read at all.
   */
  List<String> wordsReadLetterByLetter(String text);

  /** The kind as model.json names it: {@code clip-bpe} or {@code wordpiece}. */
  String kind();
}
