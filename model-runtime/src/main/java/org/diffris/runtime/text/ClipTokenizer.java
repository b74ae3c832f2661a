package org.diffris.runtime.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CLIP's byte-level BPE tokenizer: text in, the fixed-length id sequence of a CLIP text encoder out.
 *
 * <p>Pipeline: {@link ClipTextSplitter} cleans the text up (NFC, white space collapsed, lower case)
 * and splits it into words; {@link BytePairEncoder} turns each word into ids. {@link #encode} then
 * builds {@code <|startoftext|> ids <|endoftext|>}, keeps only the first {@code maxLength - 2} text
 * tokens when the text is too long (the end token is always kept), and pads to {@code maxLength}
 * with the pad id. CLIP and Stable Diffusion pad with the end token's id; OpenAI's own
 * {@code clip.tokenize} and some exported tokenizers pad with 0: the pad id is a constructor
 * argument, taken from the model bundle.
 *
 * <p>The ids equal those of HuggingFace's fast {@code CLIPTokenizer} for the same vocabulary
 * (checked against the HuggingFace tokenizers library on a generated corpus). No text can produce
 * an unknown token: the vocabulary is validated to hold every byte symbol. Immutable and
 * thread-safe; one instance is meant to be shared.
 */
public final class ClipTokenizer implements TextTokenizer {
  /** The sequence length of every CLIP text encoder. */
  public static final int CLIP_MAX_LENGTH = 77;

  private final ClipVocabulary vocabulary;
  private final BytePairEncoder encoder;
  private final int maxLength;
  private final int padId;

  /**
   * @param maxLength ids per encoded text, start and end tokens included (at least 2)
   * @param padId id that fills the positions after the end token, in {@code 0..vocabulary.size()-1}
   */
  public ClipTokenizer(ClipVocabulary vocabulary, int maxLength, int padId) {
    if (maxLength < 2) {
      throw new IllegalArgumentException(
          "maximum length "
              + maxLength
              + " is too small: it must hold the start and end tokens (>= 2)");
    }
    if (padId < 0 || padId >= vocabulary.size()) {
      throw new IllegalArgumentException(
          "pad id " + padId + " is not in the vocabulary (ids 0.." + (vocabulary.size() - 1) + ")");
    }
    this.vocabulary = vocabulary;
    this.encoder = new BytePairEncoder(vocabulary);
    this.maxLength = maxLength;
    this.padId = padId;
  }

  /** CLIP's defaults: 77 ids, padded with the end token. */
  public static ClipTokenizer withClipDefaults(ClipVocabulary vocabulary) {
    return new ClipTokenizer(vocabulary, CLIP_MAX_LENGTH, vocabulary.endId());
  }

  /** Loads {@code vocab.json} + {@code merges.txt} from a folder, with CLIP's defaults. */
  public static ClipTokenizer load(Path folder) throws IOException {
    return withClipDefaults(ClipVocabulary.load(folder));
  }

  /** The text as exactly {@link #maxLength()} ids: start, text tokens, end, padding. */
  @Override
  public TokenizedText encode(String text) {
    int[] ids = new int[maxLength];
    int room = maxLength - 2;
    int count = 0;
    boolean truncated = false;
    ids[0] = vocabulary.startId();
    for (String word : ClipTextSplitter.words(text)) {
      int[] wordIds = idsOfWord(word);
      int take = Math.min(wordIds.length, room - count);
      System.arraycopy(wordIds, 0, ids, 1 + count, take);
      count += take;
      if (take < wordIds.length) {
        truncated = true;
        break;
      }
    }
    ids[1 + count] = vocabulary.endId();
    Arrays.fill(ids, 2 + count, maxLength, padId);
    return new TokenizedText(ids, count + 2, truncated);
  }

  /** The text's token ids alone: no start or end token, no truncation, no padding. */
  public int[] tokenIds(String text) {
    List<int[]> parts = new ArrayList<>();
    int total = 0;
    for (String word : ClipTextSplitter.words(text)) {
      int[] wordIds = idsOfWord(word);
      parts.add(wordIds);
      total += wordIds.length;
    }
    int[] ids = new int[total];
    int at = 0;
    for (int[] part : parts) {
      System.arraycopy(part, 0, ids, at, part.length);
      at += part.length;
    }
    return ids;
  }

  /** The text's tokens as strings, for inspection (for example {@code ["a</w>", "ship</w>"]}). */
  public List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    for (int id : tokenIds(text)) {
      tokens.add(vocabulary.tokenOf(id));
    }
    return tokens;
  }

  /**
   * The words of {@code text} that the vocabulary barely knows, in order: words it can only
   * spell out byte by byte, or nearly (fewer than 1.2 UTF-8 bytes per piece), such as a word in
   * a script the tokenizer was not built on or one its small vocabulary lacks. A model has learned
   * little about such a word, so a query made of them may find nothing. Words of one token are
   * always known. (The threshold leaves every query diffris-tiny was trained on unflagged: its
   * closest, "roads", is read in 4 pieces, 1.25 bytes each.)
   */
  @Override
  public List<String> wordsReadLetterByLetter(String text) {
    List<String> spelled = new ArrayList<>();
    for (String word : ClipTextSplitter.words(text)) {
      int pieces = idsOfWord(word).length;
      if (pieces > 1 && word.getBytes(StandardCharsets.UTF_8).length < 1.2 * pieces) {
        spelled.add(word);
      }
    }
    return spelled;
  }

  private int[] idsOfWord(String word) {
    if (word.equals(ClipVocabulary.START_TOKEN)) {
      return new int[] {vocabulary.startId()};
    }
    if (word.equals(ClipVocabulary.END_TOKEN)) {
      return new int[] {vocabulary.endId()};
    }
    return encoder.encode(word);
  }

  public ClipVocabulary vocabulary() {
    return vocabulary;
  }

  @Override
  public int maxLength() {
    return maxLength;
  }

  public int padId() {
    return padId;
  }

  @Override
  public String kind() {
    return "clip-bpe";
  }
}
