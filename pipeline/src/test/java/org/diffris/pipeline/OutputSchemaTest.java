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

  private static final Provenance RUN =
      new Provenance("port.tif", "0b7e4c1a-3f0e-4d2b-9a55-7d6c2e1f8a90");

  @Test
  void segmentationRegionsCarryQueryScoreAreaPixelsModelAtEdgeSourceRunId() {
    OutputSchema schema =
        OutputSchema.segmentation(
            "white tanks", "diffris-tiny 0.6.0", r -> r.pixelBounds().minColumn() == 0, RUN);
    assertEquals(
        List.of("query", "score", "area", "pixels", "model", "at_edge", "source", "run_id"),
        names(schema));
    assertEquals(
        List.of(
            String.class,
            Double.class,
            Double.class,
            Long.class,
            String.class,
            Boolean.class,
            String.class,
            String.class),
        schema.fields().stream().map(OutputSchema.Field::type).toList());
    assertArrayEquals(
        new Object[] {
          "white tanks", 0.75, 1.5, 6L, "diffris-tiny 0.6.0", true, "port.tif", RUN.runId()
        },
        schema.values(REGION));
  }

  @Test
  void maskRegionsCarryTheSameNamesLessQueryModelAndAtEdge() {
    assertEquals(
        List.of("area", "pixels", "source", "run_id"), names(OutputSchema.mask(false, RUN)));
    assertEquals(
        List.of("score", "area", "pixels", "source", "run_id"),
        names(OutputSchema.mask(true, RUN)));
    assertArrayEquals(
        new Object[] {0.75, 1.5, 6L, "port.tif", RUN.runId()},
        OutputSchema.mask(true, RUN).values(REGION));
    // Area, pixels and provenance are never missing; a binary mask has no score.
    assertEquals(
        List.of(false, true, true, true, true),
        OutputSchema.mask(true, RUN).fields().stream().map(OutputSchema.Field::required).toList());
  }

  /** docs/output-schema.md's table lists the attributes every host writes, in their order. */
  @Test
  void theDocumentedTableIsTheSchema() throws Exception {
    List<String> documented = new java.util.ArrayList<>();
    for (String line :
        java.nio.file.Files.readAllLines(java.nio.file.Path.of("..", "docs", "output-schema.md"))) {
      java.util.regex.Matcher row =
          java.util.regex.Pattern.compile("^\\| `([a-z_]+)` \\|").matcher(line);
      if (row.find()) {
        documented.add(row.group(1));
      }
    }
    assertEquals(names(OutputSchema.segmentation("q", "m", r -> false, RUN)), documented);
  }

  @Test
  void theSourceIsTheFileNameWhateverThePathOrUri() {
    for (String path :
        List.of(
            "port.tif",
            "scenes/port.tif",
            "/data/scenes/port.tif",
            "C:\\scenes\\port.tif",
            "file:/data/scenes/port.tif",
            "s3a://bucket/scenes/port.tif",
            "hdfs://nn:8020/scenes/port.tif/")) {
      assertEquals("port.tif", Provenance.sourceName(path), path);
    }
  }

  @Test
  void eachRunHasItsOwnId() {
    String a = Provenance.newRunId();
    String b = Provenance.newRunId();
    assertEquals(4, java.util.UUID.fromString(a).version());
    org.junit.jupiter.api.Assertions.assertNotEquals(a, b);
  }
}
