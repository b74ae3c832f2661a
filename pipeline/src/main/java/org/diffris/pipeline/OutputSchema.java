package org.diffris.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.diffris.vectorizer.VectorizedRegion;

/**
 * The attributes every host writes for a region, in this order, whatever the format (the WPS
 * feature type, a GeoPackage table, GeoJSON properties): documented once here and in
 * {@code docs/output-schema.md}.
 *
 * <table>
 *   <caption>attributes</caption>
 *   <tr><th>name</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@code query}</td><td>text</td><td>the query, as the user gave it</td></tr>
 *   <tr><td>{@code score}</td><td>real</td><td>mean model probability of the region's pixels,
 *       0 to 1</td></tr>
 *   <tr><td>{@code area}</td><td>real</td><td>area of the region's pixels in square metres
 *       (planar in the CRS's unit, geodesic on WGS84 for geographic CRSs); simplification does
 *       not change it</td></tr>
 *   <tr><td>{@code pixels}</td><td>integer</td><td>raster pixels in the region</td></tr>
 *   <tr><td>{@code model}</td><td>text</td><td>model name and version</td></tr>
 *   <tr><td>{@code at_edge}</td><td>boolean</td><td>the region lies within one tile of the
 *       extent's edge (or of the region of interest's boundary), where the model saw less
 *       context and another extent may answer differently; regions with {@code false} are the
 *       same in any extent that holds them with that margin</td></tr>
 *   <tr><td>{@code source}</td><td>text</td><td>the raster's file name (no folder), or the
 *       coverage's name on a server ({@link Provenance})</td></tr>
 *   <tr><td>{@code run_id}</td><td>text</td><td>the run's random UUID, the same on every region of
 *       one run (one command, one WPS request, one Spark job); the run manifest carries it
 *       too</td></tr>
 * </table>
 *
 * <p>A mask vectorized without a model ({@code diffris vectorize}) has the same attributes less
 * {@code query}, {@code model} and {@code at_edge}, and {@code score} only when the mask holds
 * probabilities; its {@code source} is the mask's file name. Immutable.
 */
public final class OutputSchema {
  /**
   * One attribute: its name, its value type ({@code String}, {@code Double}, {@code Long} or
   * {@code Boolean}) and
   * whether every region has a value (only a score can be missing: a binary mask has none).
   */
  public record Field(String name, Class<?> type, boolean required) {}

  public static final Field QUERY = new Field("query", String.class, true);
  public static final Field SCORE = new Field("score", Double.class, false);
  public static final Field AREA = new Field("area", Double.class, true);
  public static final Field PIXELS = new Field("pixels", Long.class, true);
  public static final Field MODEL = new Field("model", String.class, true);
  public static final Field AT_EDGE = new Field("at_edge", Boolean.class, true);
  public static final Field SOURCE = new Field("source", String.class, true);
  public static final Field RUN_ID = new Field("run_id", String.class, true);

  private final List<Field> fields;
  private final String query;
  private final String model;
  private final Predicate<VectorizedRegion> atEdge;
  private final Provenance provenance;

  private OutputSchema(
      List<Field> fields,
      String query,
      String model,
      Predicate<VectorizedRegion> atEdge,
      Provenance provenance) {
    this.fields = List.copyOf(fields);
    this.query = query;
    this.model = model;
    this.atEdge = atEdge;
    this.provenance = provenance;
  }

  /**
   * The attributes of a segmentation's regions: query, score, area, pixels, model, at_edge,
   * source, run_id ({@link SegmentationPlan#outputSchema(Provenance)} gives the one of a job).
   *
   * @param atEdge which regions lie near the extent's edge
   */
  public static OutputSchema segmentation(
      String query, String model, Predicate<VectorizedRegion> atEdge, Provenance provenance) {
    return new OutputSchema(
        List.of(QUERY, SCORE, AREA, PIXELS, MODEL, AT_EDGE, SOURCE, RUN_ID),
        query,
        model,
        atEdge,
        provenance);
  }

  /**
   * The attributes of a vectorized mask's regions: score (probability masks only), area, pixels,
   * source, run_id.
   */
  public static OutputSchema mask(boolean probabilities, Provenance provenance) {
    List<Field> fields = new ArrayList<>();
    if (probabilities) {
      fields.add(SCORE);
    }
    fields.add(AREA);
    fields.add(PIXELS);
    fields.add(SOURCE);
    fields.add(RUN_ID);
    return new OutputSchema(fields, null, null, null, provenance);
  }

  public List<Field> fields() {
    return fields;
  }

  /** The region's value of every field, in field order. */
  public Object[] values(VectorizedRegion region) {
    Object[] values = new Object[fields.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = value(fields.get(i), region);
    }
    return values;
  }

  private Object value(Field field, VectorizedRegion region) {
    if (field == QUERY) {
      return query;
    }
    if (field == SCORE) {
      return region.meanProbability();
    }
    if (field == AREA) {
      return region.areaSquareMetres();
    }
    if (field == PIXELS) {
      return region.pixelCount();
    }
    if (field == AT_EDGE) {
      return atEdge.test(region);
    }
    if (field == SOURCE) {
      return provenance.source();
    }
    if (field == RUN_ID) {
      return provenance.runId();
    }
    return model;
  }
}
