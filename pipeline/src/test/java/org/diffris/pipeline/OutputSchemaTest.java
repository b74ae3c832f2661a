package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.VectorizedRegion;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.GeometryFactory;

/** The one attribute list every host writes, and each region's values for it. */
class OutputSchemaTest {
  private static final VectorizedRegion REGION =
      new VectorizedRegion(
          new GeometryFactory().toGeometry(new Envelope(0, 2, 0, 3)),
          6,
          1.5,
          0.75,
          new PixelBounds(0, 0, 2, 3));

  private static List<String> names(OutputSchema schema) {
    return schema.fields().stream().map(OutputSchema.Field::name).toList();
  }

  @Test
  void segmentationRegionsCarryQueryScoreAreaPixelsModelAtEdge() {
    OutputSchema schema =
        OutputSchema.segmentation(
            "white tanks", "diffris-tiny 0.6.0", r -> r.pixelBounds().minColumn() == 0);
    assertEquals(List.of("query", "score", "area", "pixels", "model", "at_edge"), names(schema));
    assertEquals(
        List.of(String.class, Double.class, Double.class, Long.class, String.class, Boolean.class),
        schema.fields().stream().map(OutputSchema.Field::type).toList());
    assertArrayEquals(
        new Object[] {"white tanks", 0.75, 1.5, 6L, "diffris-tiny 0.6.0", true},
        schema.values(REGION));
  }

  @Test
  void maskRegionsCarryTheSameNamesLessQueryAndModel() {
    assertEquals(List.of("area", "pixels"), names(OutputSchema.mask(false)));
    assertEquals(List.of("score", "area", "pixels"), names(OutputSchema.mask(true)));
    assertArrayEquals(new Object[] {0.75, 1.5, 6L}, OutputSchema.mask(true).values(REGION));
    // Area and pixels are never missing; a binary mask has no score.
    assertEquals(
        List.of(false, true, true),
        OutputSchema.mask(true).fields().stream().map(OutputSchema.Field::required).toList());
  }
}
