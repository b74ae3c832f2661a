package org.diffris.runtime.json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict, dependency-free JSON reader for the small files of a model bundle.
 *
 * <p>Values come back as plain Java objects: {@code Map<String, Object>} (unmodifiable, member order
 * kept), {@code List<Object>} (unmodifiable), {@link String}, {@link Long} for integers that fit,
 * {@link Double} for every other number, {@link Boolean}, and {@code null}. It accepts exactly RFC
 * 8259 (plus one leading byte-order mark) and rejects duplicate object keys, since a bundle file with
 * two values for one key is ambiguous. Every error names the source, line and column.
 *
 * <p>Cost: one pass, linear in the text; nesting deeper than {@value #MAX_DEPTH} is refused so that a
 * hostile file cannot exhaust the stack. Stateless and thread-safe.
 */
public final class JsonReader {
  static final int MAX_DEPTH = 256;

  private final String text;
  private final String source;
  private int pos;
  private int depth;

  private JsonReader(String text, String source) {
    this.text = text;
    this.source = source;
  }

  /**
   * Parses one JSON value filling the whole text.
   *
   * @param source name used in error messages, for example {@code "vocab.json"}
   */
  public static Object parse(String text, String source) throws JsonSyntaxException {
    JsonReader reader = new JsonReader(text, source);
    if (reader.text.startsWith("\uFEFF")) {
      reader.pos = 1;
    }
    reader.skipWhitespace();
    Object value = reader.readValue();
    reader.skipWhitespace();
    if (reader.pos < reader.text.length()) {
      throw reader.error("unexpected text after the JSON value");
    }
    return value;
  }

  /** Reads a whole UTF-8 stream (not closed) and parses it; malformed UTF-8 is an error too. */
  public static Object parse(InputStream in, String source) throws IOException {
    return parse(decodeUtf8(in.readAllBytes(), source), source);
  }

  /**
   * Decodes strict UTF-8; malformed bytes fail with the source name, line and byte column.
   */
  public static String decodeUtf8(byte[] bytes, String source) throws JsonSyntaxException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int offset = in.position();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < offset; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      throw new JsonSyntaxException(
          source,
          line,
          offset - lineStart + 1,
          String.format("not valid UTF-8 text (byte 0x%02X)", bytes[offset] & 0xFF));
    }
    out.flip();
    return out.toString();
  }

  private Object readValue() throws JsonSyntaxException {
    if (pos >= text.length()) {
      throw error("unexpected end of text, expected a value");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return readObject();
      case '[':
        return readArray();
      case '"':
        return readString();
      case 't':
        return readLiteral("true", Boolean.TRUE);
      case 'f':
        return readLiteral("false", Boolean.FALSE);
      case 'n':
        return readLiteral("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return readNumber();
        }
        throw error("unexpected character " + describe(c) + ", expected a value");
    }
  }

  private Map<String, Object> readObject() throws JsonSyntaxException {
    enter();
    pos++; // '{'
    Map<String, Object> members = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      depth--;
      return Collections.unmodifiableMap(members);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a quoted member name");
      }
      int keyPos = pos;
      String key = readString();
      skipWhitespace();
      expect(':', "after the member name");
      skipWhitespace();
      Object value = readValue();
      if (members.containsKey(key)) {
        pos = keyPos;
        throw error("duplicate member name \"" + key + "\"");
      }
      members.put(key, value);
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == '}') {
        depth--;
        return Collections.unmodifiableMap(members);
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}' after an object member");
      }
    }
  }

  private List<Object> readArray() throws JsonSyntaxException {
    enter();
    pos++; // '['
    List<Object> items = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      depth--;
      return Collections.unmodifiableList(items);
    }
    while (true) {
      skipWhitespace();
      items.add(readValue());
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == ']') {
        depth--;
        return Collections.unmodifiableList(items);
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']' after an array element");
      }
    }
  }

  private String readString() throws JsonSyntaxException {
    int opening = pos;
    pos++;
    StringBuilder out = null;
    int runStart = pos;
    while (true) {
      if (pos >= text.length()) {
        pos = opening;
        throw error("unterminated string");
      }
      char c = text.charAt(pos);
      if (c == '"') {
        String value =
            out == null
                ? text.substring(runStart, pos)
                : out.append(text, runStart, pos).toString();
        pos++;
        return value;
      }
      if (c < 0x20) {
        throw error("control character " + describe(c) + " inside a string must be escaped");
      }
      if (c != '\\') {
        pos++;
        continue;
      }
      if (out == null) {
        out = new StringBuilder();
      }
      out.append(text, runStart, pos);
      pos++;
      if (pos >= text.length()) {
        throw error("unterminated escape sequence");
      }
      char e = text.charAt(pos);
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.append(e);
          break;
        case 'b':
          out.append('\b');
          break;
        case 'f':
          out.append('\f');
          break;
        case 'n':
          out.append('\n');
          break;
        case 'r':
          out.append('\r');
          break;
        case 't':
          out.append('\t');
          break;
        case 'u':
          out.append(readHexUnit());
          pos--; // readHexUnit leaves pos after the 4 digits; the loop below advances once
          break;
        default:
          pos--; // point at the backslash
          throw error("invalid escape \\" + e);
      }
      pos++;
      runStart = pos;
    }
  }

  /** Reads XXXX of a \\uXXXX escape; pos is on the 'u' and ends after the last digit. */
  private char readHexUnit() throws JsonSyntaxException {
    if (pos + 4 >= text.length()) {
      throw error("truncated \\u escape");
    }
    int value = 0;
    for (int i = 1; i <= 4; i++) {
      int digit = Character.digit(text.charAt(pos + i), 16);
      if (digit < 0) {
        throw error("invalid \\u escape, expected four hex digits");
      }
      value = value * 16 + digit;
    }
    pos += 5;
    return (char) value;
  }

  private Object readNumber() throws JsonSyntaxException {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      skipDigits();
    } else {
      throw error("invalid number, expected a digit");
    }
    boolean integral = true;
    if (peek() == '.') {
      integral = false;
      pos++;
      if (!isDigit(peek())) {
        throw error("invalid number, expected a digit after '.'");
      }
      skipDigits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("invalid number, expected a digit in the exponent");
      }
      skipDigits();
    }
    String literal = text.substring(start, pos);
    if (integral && literal.length() <= 18) {
      return Long.parseLong(literal);
    }
    if (integral) {
      try {
        return Long.parseLong(literal);
      } catch (NumberFormatException tooBig) {
        return Double.parseDouble(literal);
      }
    }
    return Double.parseDouble(literal);
  }

  private Object readLiteral(String word, Object value) throws JsonSyntaxException {
    if (!text.startsWith(word, pos)) {
      throw error(
          "unexpected word, expected a value (true, false, null, number, string, array or object)");
    }
    pos += word.length();
    return value;
  }

  private void enter() throws JsonSyntaxException {
    if (++depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
  }

  private void expect(char c, String where) throws JsonSyntaxException {
    if (peek() != c) {
      throw error("expected '" + c + "' " + where);
    }
    pos++;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void skipDigits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private static String describe(char c) {
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private JsonSyntaxException error(String problem) {
    int line = 1;
    int lineStart = 0;
    int end = Math.min(pos, text.length());
    for (int i = 0; i < end; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    String where = pos >= text.length() ? " (at end of text)" : "";
    return new JsonSyntaxException(source, line, end - lineStart + 1, problem + where);
  }
}
