package org.diffris.runtime.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BERT's text clean-up and word split, as HuggingFace's {@code BertNormalizer} (clean text, space
 * around CJK ideographs, strip accents, lower case) and {@code BertPreTokenizer} (split at white
 * space, every punctuation mark a word of its own) do it for an uncased model.
 *
 * <p>Special tokens ({@code [CLS]}, {@code [MASK]}, ...) written in the text are matched first, on
 * the text as written, and kept whole; the text between them is cleaned up and split.
 *
 * <p>Character classes follow Unicode as HuggingFace's Rust code reads them: white space is the
 * Unicode {@code White_Space} property (no-break spaces included), a control character is any of
 * the general categories Cc, Cf, Co, Cs and Cn (tab, newline and carriage return are white
 * space), punctuation is ASCII punctuation or any P* category. Lower-casing maps one code point at
 * a time (no final-sigma rule), as Rust's {@code char::to_lowercase} does.
 */
final class BertTextSplitter {
  private BertTextSplitter() {}

  /** A piece of a text: a special token as written, or a word for WordPiece. */
  record Piece(String text, boolean special) {}

  /** The text's special tokens and words, in order. */
  static List<Piece> pieces(String text, List<String> specialTokens) {
    List<Piece> pieces = new ArrayList<>();
    int from = 0;
    int at = 0;
    while (at < text.length()) {
      String special = longestSpecialAt(text, at, specialTokens);
      if (special == null) {
        at++;
        continue;
      }
      addWords(text.substring(from, at), pieces);
      pieces.add(new Piece(special, true));
      at += special.length();
      from = at;
    }
    addWords(text.substring(from), pieces);
    return pieces;
  }

  private static String longestSpecialAt(String text, int at, List<String> specialTokens) {
    String longest = null;
    for (String token : specialTokens) {
      if (text.startsWith(token, at) && (longest == null || token.length() > longest.length())) {
        longest = token;
      }
    }
    return longest;
  }

  private static void addWords(String text, List<Piece> pieces) {
    for (String word : words(normalize(text))) {
      pieces.add(new Piece(word, false));
    }
  }

  /** BertNormalizer for an uncased model: clean, space CJK, strip accents, lower case. */
  static String normalize(String text) {
    StringBuilder cleaned = new StringBuilder(text.length() + 8);
    text.codePoints()
        .forEach(
            c -> {
              if (c == 0 || c == 0xFFFD || isControl(c)) {
                return;
              }
              if (isWhiteSpace(c)) {
                cleaned.append(' ');
              } else if (isCjkIdeograph(c)) {
                cleaned.append(' ').appendCodePoint(c).append(' ');
              } else {
                cleaned.appendCodePoint(c);
              }
            });
    String decomposed = Normalizer.normalize(cleaned, Normalizer.Form.NFD);
    StringBuilder lower = new StringBuilder(decomposed.length());
    decomposed
        .codePoints()
        .forEach(
            c -> {
              if (Character.getType(c) == Character.NON_SPACING_MARK) {
                return; // an accent, now a mark of its own after NFD
              }
              lower.append(new String(Character.toChars(c)).toLowerCase(Locale.ROOT));
            });
    return lower.toString();
  }

  /** BertPreTokenizer: words between white space, each punctuation mark a word of its own. */
  static List<String> words(String normalized) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    normalized
        .codePoints()
        .forEach(
            c -> {
              if (isWhiteSpace(c)) {
                flush(word, words);
              } else if (isPunctuation(c)) {
                flush(word, words);
                words.add(new String(Character.toChars(c)));
              } else {
                word.appendCodePoint(c);
              }
            });
    flush(word, words);
    return words;
  }

  private static void flush(StringBuilder word, List<String> words) {
    if (word.length() > 0) {
      words.add(word.toString());
      word.setLength(0);
    }
  }

  /** The Unicode White_Space property, plus nothing: Java's own test leaves out no-break spaces. */
  static boolean isWhiteSpace(int c) {
    return (c >= 0x09 && c <= 0x0D)
        || c == 0x20
        || c == 0x85
        || c == 0xA0
        || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A)
        || c == 0x2028
        || c == 0x2029
        || c == 0x202F
        || c == 0x205F
        || c == 0x3000;
  }

  private static boolean isControl(int c) {
    if (c == '\t' || c == '\n' || c == '\r') {
      return false;
    }
    int type = Character.getType(c);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.PRIVATE_USE
        || type == Character.SURROGATE
        || type == Character.UNASSIGNED;
  }

  private static boolean isPunctuation(int c) {
    if (c < 128) {
      return (c >= 33 && c <= 47)
          || (c >= 58 && c <= 64)
          || (c >= 91 && c <= 96)
          || (c >= 123 && c <= 126);
    }
    switch (Character.getType(c)) {
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }

  /** The CJK ideograph blocks BERT puts between spaces (Hangul, Hiragana and Katakana are not). */
  static boolean isCjkIdeograph(int c) {
    return (c >= 0x4E00 && c <= 0x9FFF)
        || (c >= 0x3400 && c <= 0x4DBF)
        || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F)
        || (c >= 0x2B740 && c <= 0x2B81F)
        || (c >= 0x2B920 && c <= 0x2CEAF)
        || (c >= 0xF900 && c <= 0xFAFF)
        || (c >= 0x2F800 && c <= 0x2FA1F);
  }
}
