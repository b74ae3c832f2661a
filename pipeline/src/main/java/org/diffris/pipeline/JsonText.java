package org.diffris.pipeline;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes plain Java values as JSON text (RFC 8259), indented two spaces: maps (their keys as
 * text, in the map's order), lists, strings, numbers, booleans and null. A NaN or infinite
 * number, which JSON cannot hold, is written as null. For run manifests; the model runtime's
 * {@code JsonReader} reads it back.
 */
final class JsonText {
  private final StringBuilder out = new StringBuilder();

  private JsonText() {}

  /** {@code value} as JSON text, ending with a newline. */
  static String of(Object value) {
    JsonText text = new JsonText();
    text.value(value, 0);
    return text.out.append('\n').toString();
  }

  private void value(Object value, int depth) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      string(s);
    } else if (value instanceof Boolean b) {
      out.append(b);
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        out.append("null");
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        out.append((long) d).append(".0");
      } else {
        out.append(String.format(Locale.ROOT, "%s", d));
      }
    } else if (value instanceof Number n) {
      out.append(n.longValue());
    } else if (value instanceof Map<?, ?> map) {
      object(map, depth);
    } else if (value instanceof List<?> list) {
      array(list, depth);
    } else {
      throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
    }
  }

  private void object(Map<?, ?> map, int depth) {
    if (map.isEmpty()) {
      out.append("{}");
      return;
    }
    out.append('{');
    String separator = "\n";
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      out.append(separator);
      indent(depth + 1);
      string(String.valueOf(entry.getKey()));
      out.append(": ");
      value(entry.getValue(), depth + 1);
      separator = ",\n";
    }
    out.append('\n');
    indent(depth);
    out.append('}');
  }

  private void array(List<?> list, int depth) {
    if (list.isEmpty()) {
      out.append("[]");
      return;
    }
    boolean flat = list.stream().noneMatch(v -> v instanceof Map || v instanceof List);
    out.append('[');
    String separator = flat ? "" : "\n";
    for (Object item : list) {
      out.append(separator);
      if (!flat) {
        indent(depth + 1);
      }
      value(item, depth + 1);
      separator = flat ? ", " : ",\n";
    }
    if (!flat) {
      out.append('\n');
      indent(depth);
    }
    out.append(']');
  }

  private void indent(int depth) {
    out.append("  ".repeat(depth));
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
