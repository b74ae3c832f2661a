import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.geotools.api.feature.simple.SimpleFeature;
import org.geotools.api.feature.simple.SimpleFeatureType;
import org.geotools.api.feature.type.AttributeDescriptor;
import org.geotools.api.feature.type.GeometryDescriptor;
import org.geotools.api.feature.type.Name;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.data.simple.SimpleFeatureCollection;
import org.geotools.data.simple.SimpleFeatureIterator;
import org.geotools.feature.NameImpl;
import org.geotools.gce.geotiff.GeoTiffReader;
import org.geotools.geometry.jts.ReferencedEnvelope;
import org.geotools.process.Process;
import org.geotools.process.ProcessFactory;
import org.geotools.process.Processors;
import org.geotools.referencing.CRS;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKTReader;
import org.locationtech.jts.io.WKTWriter;

/**
 * Records what diffris:Segment returns, reached the way GeoServer reaches it (GeoTools' process
 * registry), using only GeoTools and JTS API so that the same program runs against any commit of
 * the project (it never names a class of org.diffris.*).
 *
 * <p>Usage: {@code java -cp ... WpsSnapshot TREE OUTDIR}. Reads TREE/sample-data/scenes/*.tif
 * and queries.tsv; writes OUTDIR/wps.tsv (one row per feature: run, feature index, WKT, then
 * the attribute values in the feature type's order, then {@code fid=<feature id>}) and
 * OUTDIR/wps-runs.tsv (one row per run: inputs, status, feature count, type name, geometry and
 * attribute names with their Java types, EPSG code, geometry SRIDs). A run that throws is
 * recorded as {@code error:<class>: <message>} and the program goes on; exit status 3 then.
 */
public final class WpsSnapshot {
  static final Name NAME = new NameImpl("diffris", "Segment");

  record Run(String id, String scene, Map<String, Object> options) {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: WpsSnapshot TREE OUTDIR");
      System.exit(2);
    }
    Path tree = Path.of(args[0]).toAbsolutePath().normalize();
    Path out = Path.of(args[1]).toAbsolutePath().normalize();
    Path scenes = tree.resolve("sample-data/scenes");

    ProcessFactory factory = Processors.createProcessFactory(NAME);
    if (factory == null) {
      throw new IllegalStateException("GeoTools found no process factory for " + NAME);
    }
    // Which code answered: the factory's class and where it was loaded from.
    System.out.println("factory " + factory.getClass().getName() + " from "
        + factory.getClass().getProtectionDomain().getCodeSource().getLocation());
    // Every process-factory service file on the classpath: a second copy of the plugin would show.
    for (java.net.URL u : java.util.Collections.list(ClassLoader.getSystemClassLoader()
        .getResources("META-INF/services/org.geotools.process.ProcessFactory"))) {
      System.out.println("service file " + u);
    }

    List<Run> runs = new ArrayList<>();
    int q = 0;
    for (String line : Files.readAllLines(scenes.resolve("queries.tsv"), StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t");
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("query", f[1]);
      runs.add(new Run(String.format("q%02d", ++q), f[0], o));
    }
    String tanks = "white storage tanks";
    runs.add(new Run("opt_threshold", "port.tif", opts(tanks, "threshold", 0.3)));
    runs.add(new Run("opt_simplify", "port.tif", opts(tanks, "simplify", 1.0)));
    runs.add(new Run("opt_minArea", "port.tif", opts(tanks, "minArea", 20.0)));
    runs.add(new Run("opt_maxFeatures", "port.tif", opts(tanks, "maxFeatures", 10)));
    runs.add(new Run("opt_bands", "port.tif", opts(tanks, "bands", "3,2,1")));
    runs.add(new Run("opt_roi", "port.tif", opts(tanks, "roi", "middle-half-rectangle")));
    runs.add(new Run("opt_roi_slanted", "port.tif", opts(tanks, "roi", "middle-slanted-quad")));

    // Full-precision WKT (JTS writes the shortest digits that read back to the same double);
    // checked below by reading every geometry back.
    WKTWriter wkt = new WKTWriter();
    WKTReader wktReader = new WKTReader();
    Map<String, GeoTiffReader> readers = new LinkedHashMap<>();
    Map<String, GridCoverage2D> coverages = new LinkedHashMap<>();
    int failed = 0;
    try (BufferedWriter features = Files.newBufferedWriter(out.resolve("wps.tsv"));
        BufferedWriter meta = Files.newBufferedWriter(out.resolve("wps-runs.tsv"))) {
      meta.write("run\tscene\tinputs\tstatus\tfeatures\ttype\tgeometry\tattributes\tepsg\tsrids\n");
      for (Run run : runs) {
        GridCoverage2D coverage = coverages.get(run.scene);
        if (coverage == null) {
          GeoTiffReader reader = new GeoTiffReader(scenes.resolve(run.scene).toFile());
          readers.put(run.scene, reader);
          coverage = reader.read(null);
          coverages.put(run.scene, coverage);
        }
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("coverage", coverage);
        for (Map.Entry<String, Object> e : run.options.entrySet()) {
          Object v = e.getValue();
          if (e.getKey().equals("roi")) {
            v = roi(coverage, (String) v);
          }
          inputs.put(e.getKey(), v);
        }
        String described = describe(run.options, inputs);
        long t0 = System.nanoTime();
        System.out.print("run " + run.id + " " + run.scene + " " + described + " ... ");
        System.out.flush();
        String status = "ok";
        int count = 0;
        String typeName = "";
        String geometry = "";
        StringBuilder attributes = new StringBuilder();
        String epsg = "";
        TreeSet<Integer> srids = new TreeSet<>();
        try {
          Process process = factory.create(NAME);
          Map<String, Object> result = process.execute(inputs, null);
          if (result == null || !result.keySet().equals(java.util.Set.of("result"))) {
            status = "result-keys:" + (result == null ? "null" : new TreeSet<>(result.keySet()));
          }
          SimpleFeatureCollection fc = (SimpleFeatureCollection) result.get("result");
          SimpleFeatureType type = fc.getSchema();
          typeName = type.getTypeName();
          GeometryDescriptor gd = type.getGeometryDescriptor();
          geometry = gd == null ? "" : gd.getLocalName() + ":" + gd.getType().getBinding().getSimpleName();
          List<String> names = new ArrayList<>();
          for (AttributeDescriptor d : type.getAttributeDescriptors()) {
            if (d instanceof GeometryDescriptor) {
              continue;
            }
            names.add(d.getLocalName());
            attributes.append(attributes.length() == 0 ? "" : ",").append(d.getLocalName())
                .append(':').append(d.getType().getBinding().getSimpleName());
          }
          CoordinateReferenceSystem crs = type.getCoordinateReferenceSystem();
          Integer code = crs == null ? null : CRS.lookupEpsgCode(crs, true);
          epsg = crs == null ? "none" : code == null ? "unknown" : "EPSG:" + code;
          try (SimpleFeatureIterator it = fc.features()) {
            while (it.hasNext()) {
              SimpleFeature f = it.next();
              Geometry g = (Geometry) f.getDefaultGeometry();
              String text = g == null ? "NULL" : wkt.write(g);
              if (g != null && !wktReader.read(text).equalsExact(g)) {
                throw new IllegalStateException("WKT does not read back exactly: feature " + count);
              }
              if (g != null) {
                srids.add(g.getSRID());
              }
              StringBuilder row = new StringBuilder();
              row.append(run.id).append('\t').append(count).append('\t').append(text);
              for (String n : names) {
                row.append('\t').append(value(f.getAttribute(n)));
              }
              row.append("\tfid=").append(clean(f.getID())).append('\n');
              features.write(row.toString());
              count++;
            }
          }
        } catch (Exception | Error e) {
          failed++;
          status = "error:" + e.getClass().getName() + ": " + clean(String.valueOf(e.getMessage()));
          StringWriter trace = new StringWriter();
          e.printStackTrace(new PrintWriter(trace));
          System.err.println("run " + run.id + " failed:\n" + trace);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println(status.equals("ok") ? count + " features, " + ms + " ms" : status);
        meta.write(String.join("\t", run.id, run.scene, described, status, String.valueOf(count),
            typeName, geometry, attributes.toString(), epsg, srids.toString().replace(" ", ""))
            + "\n");
        meta.flush();
        features.flush();
      }
    } finally {
      for (GeoTiffReader r : readers.values()) {
        r.dispose();
      }
    }
    System.out.println(failed == 0 ? "all " + runs.size() + " runs ok" : failed + " runs failed");
    // The ONNX Runtime sessions and GeoTools' threads may keep the JVM alive: leave explicitly.
    System.exit(failed == 0 ? 0 : 3);
  }

  static Map<String, Object> opts(String query, String key, Object value) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("query", query);
    o.put(key, value);
    return o;
  }

  /** A ROI in the coverage's CRS: the middle half of its envelope, or a slanted quad inside it. */
  static Geometry roi(GridCoverage2D coverage, String kind) {
    ReferencedEnvelope env = new ReferencedEnvelope(coverage.getEnvelope2D());
    double x0 = env.getMinX(), y0 = env.getMinY(), w = env.getWidth(), h = env.getHeight();
    GeometryFactory gf = new GeometryFactory();
    Coordinate[] ring;
    if (kind.equals("middle-half-rectangle")) {
      ring = new Coordinate[] {c(x0, y0, w, h, 0.25, 0.25), c(x0, y0, w, h, 0.75, 0.25),
          c(x0, y0, w, h, 0.75, 0.75), c(x0, y0, w, h, 0.25, 0.75), c(x0, y0, w, h, 0.25, 0.25)};
    } else {
      // Edges that cut pixels at many fractions, so pixel-centre inclusion is exercised.
      ring = new Coordinate[] {c(x0, y0, w, h, 0.2, 0.3), c(x0, y0, w, h, 0.7, 0.2),
          c(x0, y0, w, h, 0.8, 0.65), c(x0, y0, w, h, 0.35, 0.8), c(x0, y0, w, h, 0.2, 0.3)};
    }
    return gf.createPolygon(ring);
  }

  static Coordinate c(double x0, double y0, double w, double h, double fx, double fy) {
    return new Coordinate(x0 + fx * w, y0 + fy * h);
  }

  static String describe(Map<String, Object> options, Map<String, Object> inputs) {
    StringBuilder b = new StringBuilder();
    for (String k : options.keySet()) {
      Object v = k.equals("roi") ? options.get(k) + "=" + new WKTWriter().write((Geometry) inputs.get(k))
          : options.get(k);
      b.append(b.length() == 0 ? "" : ";").append(k).append('=').append(clean(String.valueOf(v)));
    }
    return b.toString();
  }

  /** Doubles as Java's shortest round-trip text; everything else as text without tabs/newlines. */
  static String value(Object v) {
    if (v == null) {
      return "NULL";
    }
    if (v instanceof Geometry g) {
      return new WKTWriter().write(g);
    }
    return clean(v.toString());
  }

  static String clean(String s) {
    return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }

  private WpsSnapshot() {}
}
