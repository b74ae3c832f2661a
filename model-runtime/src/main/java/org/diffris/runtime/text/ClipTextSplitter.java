package org.diffris.runtime.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's text clean-up and pre-tokenization, as HuggingFace's CLIP tokenizer does it.
 *
 * <ol>
 *   <li>Unpaired UTF-16 surrogates become U+FFFD (they have no UTF-8 form).
 *   <li>NFC normalization.
 *   <li>Every run of Unicode white space becomes one space.
 *   <li>Lower-casing code point by code point with Unicode's full mappings (so {@code 'Σ'} is always
 *       {@code 'σ'} and {@code 'İ'} becomes {@code "i"} + U+0307), as HuggingFace does; Python's
 *       {@code str.lower()} in OpenAI's tokenizer would give a final {@code 'ς'} instead.
 *   <li>{@code <|startoftext|>} and {@code <|endoftext|>} occurring in the (lower-cased) text are cut
 *       out first and kept as special words, as HuggingFace's added-token matching does.
 *   <li>The rest is split into words by CLIP's pattern {@code 's|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|
 *       [\p{N}]|[^\s\p{L}\p{N}]+}; whatever no alternative matches (spaces) is dropped, which also
 *       strips the text.
 * </ol>
 *
 * <p>Not done, on purpose: OpenAI's {@code ftfy.fix_text} (mojibake repair) and HTML unescaping.
 * HuggingFace's fast CLIP tokenizer, which exported models are usually trained with, does neither,
 * so {@code "&amp;"} stays five characters. OpenAI also matches its pattern case-insensitively;
 * after lower-casing that differs only for oddities such as {@code "'ſ"}, where we follow
 * HuggingFace. Unicode tables are Java's (Unicode 13 in Java 17): characters assigned later may
 * classify differently from a newer HuggingFace build. Stateless and thread-safe.
 */
final class ClipTextSplitter {
  private static final Pattern WHITE_SPACE =
      Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern WORD =
      Pattern.compile(
          "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
          Pattern.UNICODE_CHARACTER_CLASS);

  private ClipTextSplitter() {}

  /** The cleaned-up text, before splitting. */
  static String normalize(String text) {
    String nfc = Normalizer.normalize(replaceUnpairedSurrogates(text), Normalizer.Form.NFC);
    String spaced = WHITE_SPACE.matcher(nfc).replaceAll(" ");
    return lowerCase(spaced);
  }

  /** The words of a text; special tokens come back as their own words, equal to the token. */
  static List<String> words(String text) {
    String normalized = normalize(text);
    List<String> words = new ArrayList<>();
    int from = 0;
    while (from < normalized.length()) {
      int start = normalized.indexOf(ClipVocabulary.START_TOKEN, from);
      int end = normalized.indexOf(ClipVocabulary.END_TOKEN, from);
      int special = start < 0 ? end : end < 0 ? start : Math.min(start, end);
      int stop = special < 0 ? normalized.length() : special;
      splitPlain(normalized, from, stop, words);
      if (special < 0) {
        break;
      }
      String token = special == start ? ClipVocabulary.START_TOKEN : ClipVocabulary.END_TOKEN;
      words.add(token);
      from = special + token.length();
    }
    return words;
  }

  private static void splitPlain(String text, int from, int to, List<String> words) {
    Matcher m = WORD.matcher(text).region(from, to);
    while (m.find()) {
      words.add(m.group());
    }
  }

  private static String lowerCase(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int width = Character.charCount(cp);
      if (Character.isUpperCase(cp)
          || Character.isTitleCase(cp)
          || Character.toLowerCase(cp) != cp) {
        if (out == null) {
          out = new StringBuilder(s.length() + 8).append(s, 0, i);
        }
        // A one-code-point string has no context, so Java applies only Unicode's unconditional
        // full mappings: the same as Rust's char::to_lowercase used by HuggingFace.
        out.append(s.substring(i, i + width).toLowerCase(Locale.ROOT));
      } else if (out != null) {
        out.appendCodePoint(cp);
      }
      i += width;
    }
    return out == null ? s : out.toString();
  }

  private static String replaceUnpairedSurrogates(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1));
      if (paired) {
        if (out != null) {
          out.append(c).append(s.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        if (out == null) {
          out = new StringBuilder(s.length()).append(s, 0, i);
        }
        out.append('\uFFFD');
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? s : out.toString();
  }
}
