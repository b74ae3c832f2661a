package org.diffris.pipeline;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rule a query (or an evaluation's referring expression) must pass, written once for every
 * host and for {@code diffris eval}: it has something to read, and no control character.
 *
 * <p>A text is <em>blank</em> when nothing is left after removing Unicode white space ({@link
 * Character#isWhitespace} and {@link Character#isSpaceChar}, so the no-break spaces U+00A0, U+2007
 * and U+202F too) and format characters ({@link Character#FORMAT}: U+200B..U+200D, U+2060, U+FEFF,
 * U+00AD...). A blank query reaches the model as an empty one and finds whatever an empty query
 * finds, so it is refused; {@code diffris eval} refuses a blank expression by the same rule
 * ({@link #blankness}), as {@code model/evaluate.py} does. Tabs and line breaks are white space to
 * the tokenizer; other control characters in a query are a paste gone wrong (or terminal
 * escapes), and would be echoed back in messages.
 */
public final class QueryText {
  /** What a user can give instead, in every message about a blank query. */
  public static final String EXAMPLE = "describe the objects to find, e.g. 'white storage tanks'";

  /** The most characters a message lists. */
  private static final int MAX_LISTED = 6;

  private QueryText() {}

  /** Whether {@code text} is null or holds only white space and format characters. */
  public static boolean isBlank(String text) {
    return text == null || text.codePoints().allMatch(QueryText::isInvisible);
  }

  /**
   * Why {@code text} is blank ({@code "is empty"}, {@code "holds no visible character (only
   * U+00A0)"}), or null when it is not.
   */
  public static String blankness(String text) {
    if (!isBlank(text)) {
      return null;
    }
    return text == null || text.isBlank()
        ? "is empty"
        : "holds no visible character (only " + invisibleOnes(text) + ")";
  }

  /**
   * What is wrong with {@code text} as a query, to follow its name ({@code "is empty: ..."}), or
   * null when it is a query.
   */
  public static String problem(String text) {
    String blank = blankness(text);
    if (blank != null) {
      return blank + ": " + EXAMPLE;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
        return String.format(
            Locale.ROOT,
            "contains the control character U+%04X at position %d: give the words alone",
            (int) c,
            i + 1);
      }
    }
    return null;
  }

  /**
   * Fails unless {@code text} is a query.
   *
   * @param option the option's name, in front of the message ({@code "query"})
   * @throws InvalidOptionException naming the option and the problem
   */
  public static String require(String option, String text) {
    String problem = problem(text);
    if (problem != null) {
      throw new InvalidOptionException(option, problem);
    }
    return text;
  }

  private static boolean isInvisible(int codePoint) {
    return Character.isWhitespace(codePoint)
        || Character.isSpaceChar(codePoint)
        || Character.getType(codePoint) == Character.FORMAT;
  }

  /** The distinct characters of a blank text, as code points: {@code U+00A0, U+200B}. */
  private static String invisibleOnes(String text) {
    Set<Integer> found = new TreeSet<>();
    text.codePoints().forEach(found::add);
    StringBuilder list = new StringBuilder();
    int listed = 0;
    for (int codePoint : found) {
      if (listed == MAX_LISTED) {
        return list.append(", ...").toString();
      }
      list.append(listed++ == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "U+%04X", codePoint));
    }
    return list.toString();
  }
}
