package org.diffris.runtime.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReaderTest {
  private static Object parse(String text) throws JsonSyntaxException {
    return JsonReader.parse(text, "t.json");
  }

  private static String error(String text) {
    return assertThrows(JsonSyntaxException.class, () -> parse(text)).getMessage();
  }

  @Test
  void readsEveryKindOfValue() throws Exception {
    Object value =
        parse(
            " {\"s\": \"x\", \"i\": -12, \"d\": 1.5e2, \"t\": true, \"f\": false, \"n\": null,"
                + " \"a\": [1, [], {}], \"big\": 12345678901234567890}\n");
    Map<?, ?> map = (Map<?, ?>) value;
    assertEquals(List.of("s", "i", "d", "t", "f", "n", "a", "big"), List.copyOf(map.keySet()));
    assertEquals("x", map.get("s"));
    assertEquals(-12L, map.get("i"));
    assertEquals(150.0, map.get("d"));
    assertEquals(true, map.get("t"));
    assertEquals(false, map.get("f"));
    assertNull(map.get("n"));
    assertEquals(List.of(1L, List.of(), Map.of()), map.get("a"));
    assertEquals(1.2345678901234567e19, map.get("big"));
  }

  @Test
  void decodesEscapes() throws Exception {
    assertEquals(
        "a\"\\/\b\f\n\r\t\u00e9\uD83D\uDE97",
        parse("\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00E9\\ud83d\\ude97\""));
    assertEquals("Ġ</w>", parse("\"Ġ</w>\""));
  }

  @Test
  void skipsOneByteOrderMarkAndReadsStreams() throws Exception {
    byte[] bytes = "\uFEFF[1]".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(List.of(1L), JsonReader.parse(new ByteArrayInputStream(bytes), "t.json"));
  }

  @Test
  void reportsWhereTheTextIsWrong() {
    assertEquals("t.json line 1, column 10: expected a quoted member name", error("{\"a\": 1, }"));
    assertEquals(
        "t.json line 2, column 3: duplicate member name \"a\"", error("{\"a\": 1,\n  \"a\": 2}"));
    assertEquals("t.json line 1, column 2: unterminated string", error("[\"ab"));
    assertEquals(
        "t.json line 1, column 3: control character U+000A inside a string must be escaped",
        error("\"a\nb\""));
    assertEquals("t.json line 1, column 2: unexpected text after the JSON value", error("01"));
    assertEquals("t.json line 1, column 4: invalid escape \\x", error("\"ab\\x\""));
    assertEquals("t.json line 1, column 2: invalid number, expected a digit", error("-a"));
    assertEquals(
        "t.json line 1, column 3: invalid number, expected a digit after '.'", error("1.]"));
    assertEquals(
        "t.json line 1, column 1: unexpected end of text, expected a value (at end of text)",
        error(""));
    assertEquals(
        "t.json line 1, column 4: expected ',' or ']' after an array element", error("[1 2]"));
    assertEquals(
        "t.json line 1, column 1: unexpected word, expected a value (true, false, null, number,"
            + " string, array or object)",
        error("nul"));
  }

  @Test
  void refusesDeepNesting() {
    String deep = "[".repeat(JsonReader.MAX_DEPTH + 1) + "]".repeat(JsonReader.MAX_DEPTH + 1);
    assertEquals(
        "t.json line 1, column " + (JsonReader.MAX_DEPTH + 1) + ": nesting deeper than 256 levels",
        error(deep));
  }

  @Test
  void rejectsMalformedUtf8WithItsLine() {
    byte[] bytes = {'[', '\n', '"', (byte) 0xC3, '"', ']'};
    JsonSyntaxException e =
        assertThrows(
            JsonSyntaxException.class,
            () -> JsonReader.parse(new ByteArrayInputStream(bytes), "t.json"));
    assertEquals(2, e.line());
    assertEquals(2, e.column());
  }
}
