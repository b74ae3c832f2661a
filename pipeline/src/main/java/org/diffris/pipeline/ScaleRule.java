package org.diffris.pipeline;

import java.util.Locale;

/**
 * How the user asks raw values to be brought to the model's 8-bit-like range, as text:
 *
 * <ul>
 *   <li>{@code auto} (default): decided from the raster ({@link ValueScaling} says how);
 *   <li>{@code bundle}: the bundle's own {@code image.scale}, for 8-bit data;
 *   <li>{@code bits:N}: integers of N significant bits, 0 to 2^N - 1 (1 to 32);
 *   <li>{@code range:LOW,HIGH}: LOW to HIGH for every band alike, clamped;
 *   <li>{@code percentile:P1,P2[,joint|per-band]}: the whole raster's P1 and P2 percentiles, of
 *       all selected bands together ({@code joint}, the default, which keeps colours) or of each
 *       band on its own ({@code per-band}, which balances them).
 * </ul>
 *
 * Immutable; {@link #toString()} gives the text back in this syntax.
 */
public record ScaleRule(Mode mode, int bits, double low, double high, boolean perBand) {
  /** The kind of rule. */
  public enum Mode {
    AUTO,
    BUNDLE,
    BITS,
    RANGE,
    PERCENTILE
  }

  public static final ScaleRule AUTO = new ScaleRule(Mode.AUTO, 0, 0, 0, false);
  public static final ScaleRule BUNDLE = new ScaleRule(Mode.BUNDLE, 0, 0, 0, false);

  static final String SYNTAX =
      "auto, bundle, bits:N (1 to 32), range:LOW,HIGH or percentile:P1,P2[,joint|per-band]";

  public static ScaleRule bits(int bits) {
    return new ScaleRule(Mode.BITS, bits, 0, 0, false);
  }

  public static ScaleRule range(double low, double high) {
    return new ScaleRule(Mode.RANGE, 0, low, high, false);
  }

  public static ScaleRule percentile(double low, double high, boolean perBand) {
    return new ScaleRule(Mode.PERCENTILE, 0, low, high, perBand);
  }

  /**
   * @param text one of the forms above; null or blank means {@code auto}
   * @throws InvalidOptionException naming what is wrong and the accepted forms
   */
  public static ScaleRule parse(String text) {
    if (text == null || text.isBlank()) {
      return AUTO;
    }
    String t = text.strip().toLowerCase(Locale.ROOT);
    int colon = t.indexOf(':');
    String name = colon < 0 ? t : t.substring(0, colon);
    String[] args = colon < 0 ? new String[0] : t.substring(colon + 1).split(",", -1);
    switch (name) {
      case "auto", "bundle" -> {
        if (colon >= 0) {
          throw bad(text, name + " takes no values");
        }
        return name.equals("auto") ? AUTO : BUNDLE;
      }
      case "bits" -> {
        if (args.length != 1 || !args[0].strip().matches("[0-9]{1,2}")) {
          throw bad(text, "bits takes one whole number, e.g. bits:12");
        }
        int n = Integer.parseInt(args[0].strip());
        if (n < 1 || n > 32) {
          throw bad(text, "bits must be 1 to 32, got " + n);
        }
        return bits(n);
      }
      case "range" -> {
        if (args.length != 2) {
          throw bad(text, "range takes two numbers, e.g. range:0,10000");
        }
        double low = number(text, args[0]);
        double high = number(text, args[1]);
        if (!(low < high)) {
          throw bad(text, "range needs LOW < HIGH, got " + args[0].strip() + "," + args[1].strip());
        }
        return range(low, high);
      }
      case "percentile" -> {
        if (args.length != 2 && args.length != 3) {
          throw bad(
              text, "percentile takes two numbers and joint or per-band, e.g. percentile:2,98");
        }
        double low = number(text, args[0]);
        double high = number(text, args[1]);
        if (!(0 <= low && low < high && high <= 100)) {
          throw bad(text, "percentiles must satisfy 0 <= P1 < P2 <= 100");
        }
        boolean perBand = false;
        if (args.length == 3) {
          String how = args[2].strip();
          if (!how.equals("joint") && !how.equals("per-band")) {
            throw bad(text, "the third value must be joint or per-band, got " + how);
          }
          perBand = how.equals("per-band");
        }
        return percentile(low, high, perBand);
      }
      default -> throw bad(text, "unknown rule '" + name + "'");
    }
  }

  private static double number(String text, String value) {
    try {
      double v = Double.parseDouble(value.strip());
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(text, "'" + value.strip() + "' is not a number");
  }

  private static InvalidOptionException bad(String text, String why) {
    return new InvalidOptionException(
        "scale", "'" + text.strip() + "' not understood (" + why + "): give " + SYNTAX);
  }

  @Override
  public String toString() {
    return switch (mode) {
      case AUTO -> "auto";
      case BUNDLE -> "bundle";
      case BITS -> "bits:" + bits;
      case RANGE -> "range:" + plain(low) + "," + plain(high);
      case PERCENTILE ->
          "percentile:" + plain(low) + "," + plain(high) + (perBand ? ",per-band" : ",joint");
    };
  }

  /** A number as short as it reads back exactly: 2 not 2.0, 0.25, 3410.5. */
  static String plain(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
