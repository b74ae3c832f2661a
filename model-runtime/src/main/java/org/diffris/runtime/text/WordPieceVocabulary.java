package org.diffris.runtime.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diffris.runtime.BundleFileException;

/**
 * A BERT WordPiece vocabulary: {@code vocab.txt}, one token a line, the token's id its line number
 * from 0 (the format of Google's BERT and HuggingFace's {@code BertTokenizer}).
 *
 * <p>Guarantees after loading: the file is UTF-8; no line is empty or listed twice; the four tokens
 * a BERT text encoder needs, {@code [CLS]}, {@code [SEP]}, {@code [PAD]} and {@code [UNK]}, are
 * present; and, when the caller knows the encoder's vocabulary size, the file has exactly that many
 * tokens (a file cut short at a line boundary still parses, and would turn the words of its lost
 * tail into {@code [UNK]}). Any violation is a {@link BundleFileException} naming the file and the
 * line. Immutable and thread-safe.
 */
public final class WordPieceVocabulary {
  public static final String CLS_TOKEN = "[CLS]";
  public static final String SEP_TOKEN = "[SEP]";
  public static final String PAD_TOKEN = "[PAD]";
  public static final String UNK_TOKEN = "[UNK]";
  public static final String MASK_TOKEN = "[MASK]";

  /** The prefix of a piece that continues a word: {@code ##ing}. */
  public static final String CONTINUATION_PREFIX = "##";

  private static final String VOCAB_FILE = "vocab.txt";

  private final Map<String, Integer> idsByToken;
  private final String[] tokensById;
  private final List<String> specialTokens;
  private final int clsId;
  private final int sepId;
  private final int padId;
  private final int unkId;

  private WordPieceVocabulary(String[] tokensById, Map<String, Integer> idsByToken, String name)
      throws BundleFileException {
    this.tokensById = tokensById;
    this.idsByToken = Collections.unmodifiableMap(idsByToken);
    this.clsId = require(CLS_TOKEN, name);
    this.sepId = require(SEP_TOKEN, name);
    this.padId = require(PAD_TOKEN, name);
    this.unkId = require(UNK_TOKEN, name);
    List<String> specials = new ArrayList<>();
    for (String token : List.of(PAD_TOKEN, UNK_TOKEN, CLS_TOKEN, SEP_TOKEN, MASK_TOKEN)) {
      if (idsByToken.containsKey(token)) {
        specials.add(token);
      }
    }
    this.specialTokens = List.copyOf(specials);
  }

  /** Loads {@code vocab.txt} from a folder. */
  public static WordPieceVocabulary load(Path folder) throws IOException {
    try (InputStream in = Files.newInputStream(folder.resolve(VOCAB_FILE))) {
      return read(in, VOCAB_FILE, -1);
    }
  }

  /**
   * Reads a vocabulary; {@code name} is the file's name in messages.
   *
   * @param expectedSize the encoder's vocabulary size, or -1 when it is not known
   */
  public static WordPieceVocabulary read(InputStream in, String name, int expectedSize)
      throws IOException {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(in.readAllBytes()))
              .toString();
    } catch (CharacterCodingException e) {
      throw new BundleFileException(name, "not UTF-8 text: " + e.getMessage(), e);
    }
    String[] lines = text.split("\n", -1);
    int count = lines.length;
    if (count > 0 && lines[count - 1].isEmpty()) {
      count--; // the newline that ends the last line
    }
    String[] tokens = new String[count];
    Map<String, Integer> ids = new HashMap<>(count * 2);
    for (int i = 0; i < count; i++) {
      String token =
          lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      if (token.isEmpty()) {
        throw new BundleFileException(name, "line " + (i + 1) + " is empty: every line is a token");
      }
      Integer earlier = ids.putIfAbsent(token, i);
      if (earlier != null) {
        throw new BundleFileException(
            name,
            "line " + (i + 1) + " repeats the token \"" + token + "\" of line " + (earlier + 1));
      }
      tokens[i] = token;
    }
    if (expectedSize >= 0 && count != expectedSize) {
      throw new BundleFileException(
          name,
          "holds "
              + count
              + " tokens but the text encoder has "
              + expectedSize
              + (count < expectedSize
                  ? ": the file is cut short"
                  : ": the file is not this encoder's"));
    }
    return new WordPieceVocabulary(tokens, ids, name);
  }

  private int require(String token, String name) throws BundleFileException {
    Integer id = idsByToken.get(token);
    if (id == null) {
      throw new BundleFileException(
          name,
          "the token " + token + " is missing: a BERT vocabulary needs [CLS], [SEP], [PAD], [UNK]");
    }
    return id;
  }

  /** The id of a token, or -1 when it is not in the vocabulary. */
  public int idOf(String token) {
    Integer id = idsByToken.get(token);
    return id == null ? -1 : id;
  }

  public String tokenOf(int id) {
    return tokensById[id];
  }

  public int size() {
    return tokensById.length;
  }

  /**
   * The special tokens of the vocabulary that are matched in a text as they are written, before
   * any normalisation, as HuggingFace's BERT tokenizers do: {@code "find [MASK]"} keeps the mask
   * token whole.
   */
  public List<String> specialTokens() {
    return specialTokens;
  }

  public int clsId() {
    return clsId;
  }

  public int sepId() {
    return sepId;
  }

  public int padId() {
    return padId;
  }

  public int unkId() {
    return unkId;
  }
}
