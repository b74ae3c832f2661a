package org.diffris.runtime.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * BERT's uncased WordPiece tokenizer: text in, the fixed-length id sequence of a BERT-style text
 * encoder out ({@code [CLS] ids [SEP] [PAD]...}).
 *
 * <p>Pipeline: {@link BertTextSplitter} keeps special tokens written in the text, cleans the rest
 * up and splits it into words; each word becomes the longest vocabulary pieces from its start,
 * later pieces written with the {@code ##} prefix, or one {@code [UNK]} when some part of it has no
 * piece or it is longer than 100 characters. {@link #encode} keeps only the first {@code maxLength
 * - 2} text tokens when the text is too long and pads with {@code [PAD]}.
 *
 * <p>The ids equal those of HuggingFace's tokenizers library for the same vocabulary with
 * {@code BertNormalizer(lowercase)}, {@code BertPreTokenizer}, {@code WordPiece} and the {@code
 * [CLS] $A [SEP]} template (checked against it through DJL on thousands of texts). Immutable and
 * thread-safe; one instance is meant to be shared.
 */
public final class WordPieceTokenizer implements TextTokenizer {
  /** BERT's limit: a longer word is one {@code [UNK]}. */
  public static final int MAX_CHARACTERS_PER_WORD = 100;

  private final WordPieceVocabulary vocabulary;
  private final int maxLength;

  /** @param maxLength ids per encoded text, {@code [CLS]} and {@code [SEP]} included (at least 2) */
  public WordPieceTokenizer(WordPieceVocabulary vocabulary, int maxLength) {
    if (maxLength < 2) {
      throw new IllegalArgumentException(
          "maximum length " + maxLength + " is too small: it must hold [CLS] and [SEP] (>= 2)");
    }
    this.vocabulary = vocabulary;
    this.maxLength = maxLength;
  }

  /** Loads {@code vocab.txt} from a folder. */
  public static WordPieceTokenizer load(Path folder, int maxLength) throws IOException {
    return new WordPieceTokenizer(WordPieceVocabulary.load(folder), maxLength);
  }

  @Override
  public TokenizedText encode(String text) {
    int[] body = tokenIds(text);
    int count = Math.min(body.length, maxLength - 2);
    int[] ids = new int[maxLength];
    ids[0] = vocabulary.clsId();
    System.arraycopy(body, 0, ids, 1, count);
    ids[1 + count] = vocabulary.sepId();
    Arrays.fill(ids, 2 + count, maxLength, vocabulary.padId());
    return new TokenizedText(ids, count + 2, count < body.length);
  }

  /** The text's token ids alone: no {@code [CLS]} or {@code [SEP]}, no truncation, no padding. */
  public int[] tokenIds(String text) {
    return BertTextSplitter.pieces(text, vocabulary.specialTokens()).stream()
        .flatMapToInt(
            piece ->
                piece.special()
                    ? IntStream.of(vocabulary.idOf(piece.text()))
                    : Arrays.stream(idsOfWord(piece.text())))
        .toArray();
  }

  /** The text's tokens as strings, for inspection (for example {@code ["roof", "##top", "##s"]}). */
  public List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    for (int id : tokenIds(text)) {
      tokens.add(vocabulary.tokenOf(id));
    }
    return tokens;
  }

  /**
   * Words the vocabulary cannot read ({@code [UNK]}) or can only spell out piece by piece (fewer
   * than 1.2 UTF-8 bytes a piece, the rule of {@link ClipTokenizer#wordsReadLetterByLetter}).
   */
  @Override
  public List<String> wordsReadLetterByLetter(String text) {
    List<String> spelled = new ArrayList<>();
    for (BertTextSplitter.Piece piece : BertTextSplitter.pieces(text, vocabulary.specialTokens())) {
      if (piece.special()) {
        continue;
      }
      int[] ids = idsOfWord(piece.text());
      boolean unknown = ids.length == 1 && ids[0] == vocabulary.unkId();
      int bytes = piece.text().getBytes(StandardCharsets.UTF_8).length;
      if (unknown || (ids.length > 1 && bytes < 1.2 * ids.length)) {
        spelled.add(piece.text());
      }
    }
    return spelled;
  }

  /** Greedy longest-match-first WordPiece over the word's code points. */
  private int[] idsOfWord(String word) {
    int[] codePoints = word.codePoints().toArray();
    if (codePoints.length > MAX_CHARACTERS_PER_WORD) {
      return new int[] {vocabulary.unkId()};
    }
    List<Integer> ids = new ArrayList<>();
    int start = 0;
    while (start < codePoints.length) {
      int end = codePoints.length;
      int found = -1;
      while (end > start) {
        String piece = new String(codePoints, start, end - start);
        found =
            vocabulary.idOf(start == 0 ? piece : WordPieceVocabulary.CONTINUATION_PREFIX + piece);
        if (found >= 0) {
          break;
        }
        end--;
      }
      if (found < 0) {
        return new int[] {vocabulary.unkId()};
      }
      ids.add(found);
      start = end;
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  public WordPieceVocabulary vocabulary() {
    return vocabulary;
  }

  @Override
  public int maxLength() {
    return maxLength;
  }

  @Override
  public String kind() {
    return "wordpiece";
  }
}
