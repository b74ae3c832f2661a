package org.diffris.runtime.json;

import java.util.List;
import java.util.Map;

/**
 * Typed, validating access to the members of one parsed JSON object, for configuration files.
 *
 * <p>Every failure is a {@link FieldException} whose message names the file and the dotted path of
 * the field ({@code image.mean}), what was found and what is accepted. Immutable.
 */
public final class JsonFields {
  private final String file;
  private final String path;
  private final Map<?, ?> members;

  private JsonFields(String file, String path, Map<?, ?> members) {
    this.file = file;
    this.path = path;
    this.members = members;
  }

  /** A wrong or missing field of a JSON file; the message names the field, {@link #file()} the file. */
  public static final class FieldException extends Exception {
    private final String file;
    private final String field;

    FieldException(String file, String field, String problem) {
      super("field " + field + " " + problem);
      this.file = file;
      this.field = field;
    }

    public String file() {
      return file;
    }

    /** Dotted path of the field, for example {@code text.max_length}. */
    public String field() {
      return field;
    }
  }

  /** Fields of a parsed JSON value that must be an object. */
  public static JsonFields of(Object root, String file) throws FieldException {
    if (!(root instanceof Map)) {
      throw new FieldException(file, "(root)", "must be a JSON object, got " + describe(root));
    }
    return new JsonFields(file, "", (Map<?, ?>) root);
  }

  private String name(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Whether the member {@code key} is a string, whatever its value. */
  public boolean isString(String key) {
    return members.get(key) instanceof String;
  }

  public boolean has(String key) {
    return members.containsKey(key) && members.get(key) != null;
  }

  private Object require(String key, String expected) throws FieldException {
    if (!has(key)) {
      throw new FieldException(file, name(key), "is missing; expected " + expected);
    }
    return members.get(key);
  }

  public JsonFields object(String key) throws FieldException {
    Object value = require(key, "an object");
    if (!(value instanceof Map)) {
      throw new FieldException(file, name(key), "must be an object, got " + describe(value));
    }
    return new JsonFields(file, name(key), (Map<?, ?>) value);
  }

  public String string(String key) throws FieldException {
    Object value = require(key, "a non-empty string");
    if (!(value instanceof String) || ((String) value).isBlank()) {
      throw new FieldException(
          file, name(key), "must be a non-empty string, got " + describe(value));
    }
    return (String) value;
  }

  /** A string that must be one of {@code allowed}. */
  public String choice(String key, List<String> allowed) throws FieldException {
    String value = string(key);
    if (!allowed.contains(value)) {
      throw new FieldException(
          file, name(key), "is \"" + value + "\"; accepted: " + String.join(", ", allowed));
    }
    return value;
  }

  /** An integer in {@code min..max}. */
  public int integer(String key, int min, int max) throws FieldException {
    String expected = "an integer from " + min + " to " + max;
    Object value = require(key, expected);
    if (!(value instanceof Long) || (Long) value < min || (Long) value > max) {
      throw new FieldException(file, name(key), "must be " + expected + ", got " + describe(value));
    }
    return ((Long) value).intValue();
  }

  /** A finite number in {@code min..max} (inclusive). */
  public double number(String key, double min, double max) throws FieldException {
    String expected = numberRange(min, max);
    Object value = require(key, expected);
    double d = value instanceof Number ? ((Number) value).doubleValue() : Double.NaN;
    if (!(d >= min && d <= max)) {
      throw new FieldException(file, name(key), "must be " + expected + ", got " + describe(value));
    }
    return d;
  }

  /** An array of exactly {@code length} finite numbers, each in {@code min..max}. */
  public double[] numbers(String key, int length, double min, double max, String why)
      throws FieldException {
    String expected = "an array of " + length + " numbers (" + why + ")";
    Object value = require(key, expected);
    if (!(value instanceof List) || ((List<?>) value).size() != length) {
      throw new FieldException(file, name(key), "must be " + expected + ", got " + describe(value));
    }
    List<?> items = (List<?>) value;
    double[] out = new double[length];
    for (int i = 0; i < length; i++) {
      Object item = items.get(i);
      double d = item instanceof Number ? ((Number) item).doubleValue() : Double.NaN;
      if (!(d >= min && d <= max)) {
        throw new FieldException(
            file,
            name(key) + "[" + i + "]",
            "must be " + numberRange(min, max) + ", got " + describe(item));
      }
      out[i] = d;
    }
    return out;
  }

  /** A problem with a field detected by the caller (a cross-field or cross-file check). */
  public FieldException problem(String key, String problem) {
    return new FieldException(file, name(key), problem);
  }

  /** Smallest positive normal double: use as {@code min} for "strictly above zero". */
  public static final double ABOVE_ZERO = Double.MIN_NORMAL;

  private static String numberRange(double min, double max) {
    return min == ABOVE_ZERO
        ? "a number above 0 and at most " + max
        : "a number from " + min + " to " + max;
  }

  static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String) {
      String s = (String) value;
      return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
    if (value instanceof List) {
      return "an array of " + ((List<?>) value).size();
    }
    if (value instanceof Map) {
      return "an object";
    }
    return String.valueOf(value);
  }
}
