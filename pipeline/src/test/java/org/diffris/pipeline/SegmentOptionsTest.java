package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

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

  private static void assertOption(String option, String message, Executable action) {
    InvalidOptionException e = assertThrows(InvalidOptionException.class, action);
    assertEquals(option, e.option());
    assertEquals(true, e.getMessage().contains(message), e.getMessage());
  }
}
