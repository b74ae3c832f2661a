package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every option's default and check, written once for all hosts. */
class SegmentOptionsTest {
  @Test
  void nullsGiveTheDefaults() {
    SegmentOptions o =
        SegmentOptions.builder("tanks")
            .threshold(null)
            .bands(null)
            .tileSize(null)
            .overlap(null)
            .batchSize(null)
            .simplify(null)
            .minArea(null)
            .maxFeatures(null)
            .build();
    assertNull(o.threshold(), "the model's threshold");
    assertNull(o.bands(), "the first bands");
    assertNull(o.tileSize());
    assertNull(o.overlap());
    assertEquals(SegmentOptions.DEFAULT_BATCH, o.batchSize());
    assertEquals(0, o.simplify());
    assertEquals(0, o.minArea());
    assertNull(o.maxFeatures());
    assertNull(o.roi());
    assertEquals(Long.MAX_VALUE, o.maxPixels());
    assertFalse(o.largestFirst());
  }

  @Test
  void badValuesNameTheirOption() {
    assertOption("query", "query is empty", () -> SegmentOptions.builder("  "));
    assertOption("query", "query is empty", () -> SegmentOptions.builder(null));
    assertOption(
        "query",
        "query contains the control character U+001B at position 6: give the words alone",
        () -> SegmentOptions.builder("ships\u001b[31m"));
    assertOption(
        "query", "control character U+0000 at position 1", () -> SegmentOptions.builder("\0x"));
    SegmentOptions.builder("white\tships\r\non water"); // white space is fine
    SegmentOptions.Builder b = SegmentOptions.builder("tanks");
    assertOption(
        "threshold",
        "threshold must be between 0 and 1 (exclusive), got 1.0",
        () -> b.threshold(1.0));
    assertOption("threshold", "got 0.0", () -> b.threshold(0.0));
    assertOption("threshold", "got NaN", () -> b.threshold(Double.NaN));
    assertOption("bands", "bands '1;2;3' not understood", () -> b.bands("1;2;3"));
    assertOption(
        "tileSize",
        "tileSize must be 1 to 4096 pixels of the model's grid, got 0",
        () -> b.tileSize(0));
    assertOption(
        "tileSize",
        "tileSize must be 1 to 4096 pixels of the model's grid, got 16384",
        () -> b.tileSize(16384));
    assertOption("overlap", "overlap must be 0 or more pixels, got -1", () -> b.overlap(-1));
    assertOption("batchSize", "batchSize must be 1 to 256 tiles, got 0", () -> b.batchSize(0));
    assertOption("simplify", "simplify must be >= 0 (CRS units), got -1.0", () -> b.simplify(-1.0));
    assertOption("simplify", "got Infinity", () -> b.simplify(Double.POSITIVE_INFINITY));
    assertOption(
        "minArea", "minArea must be >= 0 (square metres), got NaN", () -> b.minArea(Double.NaN));
    assertOption("maxFeatures", "maxFeatures must be >= 1, got 0", () -> b.maxFeatures(0));
    assertOption("maxPixels", "maxPixels must be 1 or more, got 0", () -> b.maxPixels(0));
  }

  @Test
  void hostsPutTheirOwnNameInFront() {
    InvalidOptionException e =
        assertThrows(InvalidOptionException.class, () -> SegmentOptions.builder("t").minArea(-2.0));
    assertEquals("--min-area must be >= 0 (square metres), got -2.0", e.messageFor("--min-area"));
  }

  /** Texts with nothing to read: every kind of Unicode space and format character, mixed. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "\u00a0",
        "\u00a0\u00a0\u00a0",
        "\u2007",
        "\u202f",
        "\u3000",
        "\u2002\u2003\u2009\u200a",
        "\u1680",
        "\u2028\u2029",
        "\u200b",
        "\u200c\u200d",
        "\u2060",
        "\ufeff",
        "\u00ad",
        "\u180e",
        "\u2061\u2062\u2063\u2064",
        "\u200e\u200f\u202a\u202c",
        "\udb40\udc01\udb40\udc20", // U+E0001 and U+E0020, tags outside the BMP
        " \t\u00a0\u200b\ufeff\r\n"
      })
  void aQueryOfOnlyInvisibleCharactersIsRefused(String text) {
    assertTrue(QueryText.isBlank(text), "blank by the rule");
    InvalidOptionException e =
        assertThrows(InvalidOptionException.class, () -> SegmentOptions.builder(text));
    assertEquals("query", e.option());
    assertTrue(
        e.getMessage().endsWith(": describe the objects to find, e.g. 'white storage tanks'"),
        e.getMessage());
  }

  @Test
  void theMessageNamesTheInvisibleCharacters() {
    assertOption(
        "query",
        "query holds no visible character (only U+00A0): describe the objects to find",
        () -> SegmentOptions.builder("\u00a0\u00a0"));
    assertOption(
        "query",
        "(only U+0020, U+00A0, U+200B, U+FEFF)",
        () -> SegmentOptions.builder("\ufeff \u00a0\u200b "));
    assertOption(
        "query",
        "(only U+2002, U+2003, U+2004, U+2005, U+2006, U+2007, ...)",
        () -> SegmentOptions.builder("\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"));
  }

  /** Words with invisible characters around or between them are a query. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "ships",
        "\u00a0ships\u00a0",
        "white\u200bships",
        "\ufeffstorage tanks",
        "\u2060x",
        "\u00e9", // a letter outside ASCII
        "\u6cb9\u7f50", // CJK
        "\ud83d\udea2" // an emoji outside the BMP
      })
  void textWithAVisibleCharacterIsAQuery(String text) {
    assertFalse(QueryText.isBlank(text));
    assertEquals(null, QueryText.problem(text));
    assertEquals(text, SegmentOptions.builder(text).build().query());
  }

  private static void assertOption(String option, String message, Executable action) {
    InvalidOptionException e = assertThrows(InvalidOptionException.class, action);
    assertEquals(option, e.option());
    assertEquals(true, e.getMessage().contains(message), e.getMessage());
  }
}
