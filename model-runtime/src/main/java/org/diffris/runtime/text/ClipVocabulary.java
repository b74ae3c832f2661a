package org.diffris.runtime.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.diffris.runtime.BundleFileException;
import org.diffris.runtime.json.JsonReader;
import org.diffris.runtime.json.JsonSyntaxException;

/**
 * A CLIP byte-level BPE vocabulary: the token table of {@code vocab.json} and the ranked merge rules
 * of {@code merges.txt}, in the format of OpenAI CLIP and HuggingFace's {@code CLIPTokenizer}.
 *
 * <p>Guarantees after loading: ids are exactly {@code 0..size-1}, each used once; all 256 byte
 * symbols and their {@code "</w>"} (end of word) forms are present, so every text can be encoded
 * without an unknown token; {@code <|startoftext|>} and {@code <|endoftext|>} are present; every
 * merge names two tokens of the table and its result is in the table too, and no merge is listed
 * twice. Any violation is a {@link BundleFileException} naming the file and the line or token.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClipVocabulary {
  /** The start-of-text token CLIP puts before every text. */
  public static final String START_TOKEN = "<|startoftext|>";

  /** The end-of-text token CLIP puts after every text (and often pads with). */
  public static final String END_TOKEN = "<|endoftext|>";

  /** Suffix of the last symbol of every word. */
  public static final String END_OF_WORD = "</w>";

  private static final String VOCAB_FILE = "vocab.json";
  private static final String MERGES_FILE = "merges.txt";

  private final Map<String, Integer> idsByToken;
  private final String[] tokensById;
  private final int[] byteIds = new int[256];
  private final int[] wordEndByteIds = new int[256];

  /** (leftId << 32 | rightId) -> (rank << 32 | mergedId). */
  private final Map<Long, Long> mergeRules;

  private final int startId;
  private final int endId;

  private ClipVocabulary(
      Map<String, Integer> idsByToken,
      String[] tokensById,
      Map<Long, Long> mergeRules,
      String vocabName,
      String mergesName)
      throws BundleFileException {
    this.idsByToken = Collections.unmodifiableMap(idsByToken);
    this.tokensById = tokensById;
    this.mergeRules = mergeRules;
    for (int b = 0; b < 256; b++) {
      String symbol = String.valueOf(ByteLevelAlphabet.charOf(b));
      byteIds[b] = requireToken(symbol, vocabName, b, false);
      wordEndByteIds[b] = requireToken(symbol + END_OF_WORD, vocabName, b, true);
    }
    startId = requireSpecial(START_TOKEN, vocabName);
    endId = requireSpecial(END_TOKEN, vocabName);
    requireEveryTokenMerged(vocabName, mergesName);
  }

  /**
   * A CLIP vocabulary is the byte symbols, the two special tokens and one token per merge rule,
   * so a token that no rule makes means rules are missing: a {@code merges.txt} cut short at a
   * line boundary parses, and would silently split words the model knows into pieces it does not.
   */
  private void requireEveryTokenMerged(String vocabName, String mergesName)
      throws BundleFileException {
    boolean[] made = new boolean[tokensById.length];
    for (int b = 0; b < 256; b++) {
      made[byteIds[b]] = true;
      made[wordEndByteIds[b]] = true;
    }
    made[startId] = true;
    made[endId] = true;
    for (long rule : mergeRules.values()) {
      made[(int) rule] = true;
    }
    int unmade = 0;
    int first = -1;
    for (int id = 0; id < made.length; id++) {
      if (!made[id]) {
        unmade++;
        first = first < 0 ? id : first;
      }
    }
    if (unmade > 0) {
      throw new BundleFileException(
          mergesName,
          "has "
              + mergeRules.size()
              + " merges but "
              + vocabName
              + " has "
              + (mergeRules.size() + unmade)
              + " tokens that only merges make ("
              + unmade
              + " made by none, the first \""
              + tokensById[first]
              + "\", id "
              + first
              + "): the file looks cut short; copy it again from the tokenizer it came from");
    }
  }

  /** Loads {@code vocab.json} and {@code merges.txt} from one folder. */
  public static ClipVocabulary load(Path folder) throws IOException {
    return load(folder, "");
  }

  /**
   * Loads {@code vocab.json} and {@code merges.txt} from one folder; {@code namePrefix} (for
   * example {@code "tokenizer/"}) is put before the file names in error messages.
   */
  public static ClipVocabulary load(Path folder, String namePrefix) throws IOException {
    String vocabName = namePrefix + VOCAB_FILE;
    String mergesName = namePrefix + MERGES_FILE;
    try (InputStream vocab = open(folder.resolve(VOCAB_FILE), vocabName);
        InputStream merges = open(folder.resolve(MERGES_FILE), mergesName)) {
      return read(vocab, vocabName, merges, mergesName);
    }
  }

  /** Reads a vocabulary from two UTF-8 streams (not closed); the names are used in errors. */
  public static ClipVocabulary read(
      InputStream vocabJson, String vocabName, InputStream mergesTxt, String mergesName)
      throws IOException {
    Map<String, Integer> ids = new HashMap<>();
    String[] tokens = readVocab(vocabJson, vocabName, ids);
    Map<Long, Long> rules = readMerges(mergesTxt, mergesName, ids);
    return new ClipVocabulary(ids, tokens, rules, vocabName, mergesName);
  }

  private static InputStream open(Path file, String name) throws BundleFileException {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new BundleFileException(name, "file not found (looked for " + file + ")", e);
    } catch (IOException e) {
      throw new BundleFileException(name, "cannot be read: " + e.getMessage(), e);
    }
  }

  private static String[] readVocab(InputStream in, String name, Map<String, Integer> ids)
      throws IOException {
    Object root;
    try {
      root = JsonReader.parse(in, name);
    } catch (JsonSyntaxException e) {
      throw new BundleFileException(name, located(e), e);
    }
    if (!(root instanceof Map)) {
      throw new BundleFileException(
          name, "expected a JSON object mapping each token to its integer id");
    }
    Map<?, ?> table = (Map<?, ?>) root;
    int size = table.size();
    String[] tokens = new String[size];
    for (Map.Entry<?, ?> entry : table.entrySet()) {
      String token = (String) entry.getKey();
      Object value = entry.getValue();
      if (!(value instanceof Long) || (Long) value < 0 || (Long) value >= size) {
        throw new BundleFileException(
            name,
            "token \""
                + token
                + "\" has id "
                + value
                + "; ids must be the integers 0.."
                + (size - 1)
                + " (one per token)");
      }
      int id = ((Long) value).intValue();
      if (tokens[id] != null) {
        throw new BundleFileException(
            name, "id " + id + " is used by both \"" + tokens[id] + "\" and \"" + token + "\"");
      }
      if (token.isEmpty()) {
        throw new BundleFileException(name, "empty token with id " + id);
      }
      tokens[id] = token;
      ids.put(token, id);
    }
    return tokens;
  }

  private static Map<Long, Long> readMerges(InputStream in, String name, Map<String, Integer> ids)
      throws IOException {
    String text;
    try {
      text = JsonReader.decodeUtf8(in.readAllBytes(), name);
    } catch (JsonSyntaxException e) {
      throw new BundleFileException(name, located(e), e);
    }
    String[] lines = text.split("\n", -1);
    Map<Long, Long> rules = new HashMap<>(lines.length * 2);
    Map<Long, Integer> lineOfRule = new HashMap<>(lines.length * 2);
    int rank = 0;
    for (int i = 0; i < lines.length; i++) {
      int lineNumber = i + 1;
      String line =
          lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      if (i == 0 && line.startsWith("#version")) {
        continue;
      }
      if (line.isEmpty() && isBlankFrom(lines, i)) {
        break; // trailing newline(s) at the end of the file
      }
      int space = line.indexOf(' ');
      if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
        throw new BundleFileException(
            name,
            "line "
                + lineNumber
                + ": expected two tokens separated by one space, got \""
                + abbreviate(line)
                + "\"");
      }
      String left = line.substring(0, space);
      String right = line.substring(space + 1);
      int leftId = tokenId(ids, left, name, lineNumber);
      int rightId = tokenId(ids, right, name, lineNumber);
      int mergedId = tokenId(ids, left + right, name, lineNumber);
      long pair = pairKey(leftId, rightId);
      Integer earlier = lineOfRule.putIfAbsent(pair, lineNumber);
      if (earlier != null) {
        throw new BundleFileException(
            name, "line " + lineNumber + ": merge \"" + line + "\" repeats line " + earlier);
      }
      rules.put(pair, ((long) rank << 32) | mergedId);
      rank++;
    }
    return rules;
  }

  private static String located(JsonSyntaxException e) {
    return "line " + e.line() + ", column " + e.column() + ": " + e.problem();
  }

  private static boolean isBlankFrom(String[] lines, int from) {
    for (int i = from; i < lines.length; i++) {
      if (!lines[i].isEmpty() && !lines[i].equals("\r")) {
        return false;
      }
    }
    return true;
  }

  private static int tokenId(Map<String, Integer> ids, String token, String name, int line)
      throws BundleFileException {
    Integer id = ids.get(token);
    if (id == null) {
      throw new BundleFileException(
          name, "line " + line + ": token \"" + token + "\" is not in the vocabulary");
    }
    return id;
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }

  private int requireToken(String token, String name, int b, boolean wordEnd)
      throws BundleFileException {
    Integer id = idsByToken.get(token);
    if (id == null) {
      throw new BundleFileException(
          name,
          String.format(
              "missing byte symbol \"%s\" (byte 0x%02X%s); a CLIP byte-level vocabulary lists all"
                  + " 256 byte symbols and their \"</w>\" forms",
              token, b, wordEnd ? " at the end of a word" : ""));
    }
    return id;
  }

  private int requireSpecial(String token, String name) throws BundleFileException {
    Integer id = idsByToken.get(token);
    if (id == null) {
      throw new BundleFileException(name, "missing special token \"" + token + "\"");
    }
    return id;
  }

  static long pairKey(int leftId, int rightId) {
    return ((long) leftId << 32) | (rightId & 0xFFFFFFFFL);
  }

  /**
   * The merge rule for two adjacent tokens, packed as {@code rank << 32 | mergedId}, or -1 when
   * they never merge. Lower rank merges first.
   */
  long mergeRule(int leftId, int rightId) {
    Long rule = mergeRules.get(pairKey(leftId, rightId));
    return rule == null ? -1L : rule;
  }

  /** Id of the symbol of one byte inside a word. */
  int byteId(int unsignedByte) {
    return byteIds[unsignedByte];
  }

  /** Id of the symbol of one byte ending a word ({@code "</w>"} form). */
  int wordEndByteId(int unsignedByte) {
    return wordEndByteIds[unsignedByte];
  }

  /** Number of tokens, which is also one more than the largest id. */
  public int size() {
    return tokensById.length;
  }

  /** Number of merge rules. */
  public int mergeCount() {
    return mergeRules.size();
  }

  /** Id of {@code <|startoftext|>}. */
  public int startId() {
    return startId;
  }

  /** Id of {@code <|endoftext|>}. */
  public int endId() {
    return endId;
  }

  /** The id of a token, or -1 if it is not in the vocabulary. */
  public int idOf(String token) {
    Integer id = idsByToken.get(token);
    return id == null ? -1 : id;
  }

  /** The token with an id in {@code 0..size()-1}. */
  public String tokenOf(int id) {
    return tokensById[id];
  }
}
