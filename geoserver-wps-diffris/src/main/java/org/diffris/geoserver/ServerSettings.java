package org.diffris.geoserver;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.diffris.pipeline.EmbeddedModel;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.runtime.onnx.ExecutionProvider;

/**
 * The server-side settings of {@code diffris:Segment}, each read from a Java system property,
 * else an environment variable, else a default:
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>system property</th><th>environment</th><th>default</th></tr>
 *   <tr><td>{@code diffris.model}</td><td>{@code DIFFRIS_MODEL}</td><td>the embedded
 *       bundle next to the plugin jar ({@link EmbeddedModel})</td></tr>
 *   <tr><td>{@code diffris.device}</td><td>{@code DIFFRIS_DEVICE}</td><td>{@code cpu}</td></tr>
 *   <tr><td>{@code diffris.maxPixels}</td><td>{@code DIFFRIS_MAX_PIXELS}</td>
 *       <td>{@value #DEFAULT_MAX_PIXELS}</td></tr>
 *   <tr><td>{@code diffris.maxConcurrent}</td><td>{@code DIFFRIS_MAX_CONCURRENT}</td>
 *       <td>{@value #DEFAULT_MAX_CONCURRENT}</td></tr>
 *   <tr><td>{@code diffris.threads}</td><td>{@code DIFFRIS_THREADS}</td><td>0 (ONNX Runtime's
 *       default)</td></tr>
 *   <tr><td>{@code diffris.maxEstimatedSeconds}</td><td>{@code DIFFRIS_MAX_ESTIMATED_SECONDS}</td>
 *       <td>none (0: no limit)</td></tr>
 * </table>
 *
 * <p>A bad value is an {@link IllegalArgumentException} naming the setting and what it accepts.
 * Immutable.
 */
public record ServerSettings(
    Path model,
    ExecutionProvider device,
    long maxPixels,
    int maxConcurrent,
    int threads,
    double maxEstimatedSeconds) {

  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
  public static final int DEFAULT_MAX_CONCURRENT = 2;

  /** The settings of this JVM: system properties, then the environment. */
  public static ServerSettings current() {
    return read(System.getProperties(), System.getenv());
  }

  static ServerSettings read(Properties properties, Map<String, String> environment) {
    String model =
        value("diffris.model", EmbeddedModel.ENVIRONMENT_VARIABLE, properties, environment);
    String device = value("diffris.device", "DIFFRIS_DEVICE", properties, environment);
    ExecutionProvider provider;
    try {
      provider = device == null ? ExecutionProvider.CPU : ExecutionProvider.parse(device);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("diffris.device / DIFFRIS_DEVICE: " + e.getMessage(), e);
    }
    long maxPixels =
        number(
            "diffris.maxPixels",
            "DIFFRIS_MAX_PIXELS",
            properties,
            environment,
            DEFAULT_MAX_PIXELS,
            1,
            Long.MAX_VALUE);
    int maxConcurrent =
        (int)
            number(
                "diffris.maxConcurrent",
                "DIFFRIS_MAX_CONCURRENT",
                properties,
                environment,
                DEFAULT_MAX_CONCURRENT,
                1,
                1024);
    int threads =
        (int) number("diffris.threads", "DIFFRIS_THREADS", properties, environment, 0, 0, 1024);
    return new ServerSettings(
        model == null ? null : Path.of(model),
        provider,
        maxPixels,
        maxConcurrent,
        threads,
        seconds(
            "diffris.maxEstimatedSeconds",
            "DIFFRIS_MAX_ESTIMATED_SECONDS",
            properties,
            environment));
  }

  /** A number of seconds, 0 (no limit) or above; 0 when not set. */
  private static double seconds(
      String property, String variable, Properties properties, Map<String, String> environment) {
    String v = value(property, variable, properties, environment);
    if (v == null) {
      return 0;
    }
    try {
      double seconds = Double.parseDouble(v.replace("_", ""));
      if (seconds >= 0 && Double.isFinite(seconds)) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        property
            + " / "
            + variable
            + " is '"
            + v
            + "'; give a number of seconds, 0 or more (0: no limit)");
  }

  private static String value(
      String property, String variable, Properties properties, Map<String, String> environment) {
    String v = properties.getProperty(property);
    if (v == null || v.isBlank()) {
      v = environment.get(variable);
    }
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static long number(
      String property,
      String variable,
      Properties properties,
      Map<String, String> environment,
      long fallback,
      long min,
      long max) {
    String v = value(property, variable, properties, environment);
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v.replace("_", ""));
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        property
            + " / "
            + variable
            + " is '"
            + v
            + "'; give a whole number from "
            + min
            + " to "
            + max);
  }

  /**
   * The model bundle to load: the configured one, else the embedded bundle found next to the
   * plugin jar (in GeoServer: {@code WEB-INF/lib/diffris-tiny/} or {@code diffris-tiny.zip}), or
   * in a source checkout above the classes folder ({@link EmbeddedModel}).
   *
   * @throws IllegalStateException naming every place looked at when none is found
   */
  public Path modelLocation() {
    if (model != null) {
      return model;
    }
    try {
      return EmbeddedModel.find(EmbeddedModel.codeFolder(ServerSettings.class).stream().toList());
    } catch (InvalidInputException e) {
      throw new IllegalStateException(
          "no DiffRIS model configured and "
              + e.getMessage()
              + "; set the diffris.model system property or the DIFFRIS_MODEL environment variable "
              + "to a bundle folder or zip",
          e);
    }
  }
}
