package org.diffris.cli.eval;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diffris.cli.InputException;

/**
 * Reads a Python pickle that holds plain data only — the {@code refs(unc).p} files of RefCOCO-style
 * datasets such as RRSIS-D — without running any code.
 *
 * <p>Supported: the opcodes that protocols 0 to 5 use for lists, dicts, tuples, sets, str
 * (Python 2 byte strings are decoded as UTF-8, as {@code pickle.load(f, encoding="utf-8")} does),
 * unicode, bytes, int, long, float, bool and None, the memo and protocol 4's frames. Values come
 * back as {@code List<Object>} (lists and tuples), {@code Map<Object, Object>} (insertion order
 * kept), {@code Set<Object>}, {@link String}, {@code byte[]}, {@link Long} (or {@link BigInteger}
 * beyond 64 bits), {@link Double}, {@link Boolean} and {@code null}. Every opcode that names or
 * builds a Python object ({@code GLOBAL}, {@code REDUCE}, {@code BUILD}, {@code INST}, {@code
 * OBJ}, {@code NEWOBJ}, persistent ids, extensions) is refused with an error naming the file, the
 * opcode and its byte offset, as is any unknown byte.
 *
 * <p>Cost: one pass over the bytes; the whole file is held in memory.
 */
public final class PickleReader {
  private static final Object MARK = new Object();

  private final byte[] data;
  private final String source;
  private int pos;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();

  private PickleReader(byte[] data, String source) {
    this.data = data;
    this.source = source;
  }

  /** The value pickled in {@code file}. */
  public static Object read(Path file) throws InputException {
    if (!Files.isRegularFile(file)) {
      throw new InputException("file not found: " + file);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(bytes, file.toString());
  }

  /**
   * The value pickled in {@code bytes}.
   *
   * @param source name used in error messages
   */
  public static Object parse(byte[] bytes, String source) throws InputException {
    return new PickleReader(bytes, source).run();
  }

  private Object run() throws InputException {
    while (true) {
      if (pos >= data.length) {
        throw error("ends before the STOP opcode", pos);
      }
      int at = pos;
      int op = data[pos++] & 0xff;
      switch (op) {
        case 0x80 -> { // PROTO
          int protocol = u8();
          if (protocol > 5) {
            throw error("pickle protocol " + protocol + " is newer than 5", at);
          }
        }
        case 0x95 -> bytes(8); // FRAME: a length prefix only
        case '.' -> { // STOP
          if (stack.size() != 1 || !marks.isEmpty()) {
            throw error("malformed: STOP with " + stack.size() + " values on the stack", at);
          }
          return stack.get(0);
        }
        case '(' -> { // MARK
          marks.add(stack.size());
          stack.add(MARK);
        }
        case '0' -> pop(at); // POP
        case '1' -> popMark(at); // POP_MARK
        case '2' -> push(peek(at)); // DUP
        case 'N' -> push(null);
        case 0x88 -> push(Boolean.TRUE); // NEWTRUE
        case 0x89 -> push(Boolean.FALSE); // NEWFALSE
        case 'I' -> push(textInt(line(), at));
        case 'L' -> push(textLong(line(), at));
        case 'F' -> push(textFloat(line(), at));
        case 'J' -> push((long) le(4, true)); // BININT
        case 'K' -> push((long) u8()); // BININT1
        case 'M' -> push((long) le(2, false)); // BININT2
        case 0x8a -> push(binaryLong(bytes(u8()))); // LONG1
        case 0x8b -> push(binaryLong(bytes(length(4, at)))); // LONG4
        case 'G' -> push(Double.longBitsToDouble(new BigInteger(1, bytes(8)).longValue()));
        case 'S' -> push(utf8(quoted(line(), at), at)); // STRING
        case 'T' -> push(utf8(bytes(length(4, at)), at)); // BINSTRING
        case 'U' -> push(utf8(bytes(u8()), at)); // SHORT_BINSTRING
        case 'V' -> push(rawUnicode(line(), at)); // UNICODE
        case 'X' -> push(utf8(bytes(length(4, at)), at)); // BINUNICODE
        case 0x8c -> push(utf8(bytes(u8()), at)); // SHORT_BINUNICODE
        case 0x8d -> push(utf8(bytes(length(8, at)), at)); // BINUNICODE8
        case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
        case 'B' -> push(bytes(length(4, at))); // BINBYTES
        case 0x8e -> push(bytes(length(8, at))); // BINBYTES8
        case ']' -> push(new ArrayList<>()); // EMPTY_LIST
        case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
        case ')' -> push(List.of()); // EMPTY_TUPLE
        case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
        case 'l' -> push(new ArrayList<>(popMark(at))); // LIST
        case 't' -> push(Collections.unmodifiableList(popMark(at))); // TUPLE
        case 0x85 -> push(tuple(1, at)); // TUPLE1
        case 0x86 -> push(tuple(2, at)); // TUPLE2
        case 0x87 -> push(tuple(3, at)); // TUPLE3
        case 'd' -> { // DICT
          Map<Object, Object> map = new LinkedHashMap<>();
          putAll(map, popMark(at), at);
          push(map);
        }
        case 0x91 -> push(Collections.unmodifiableSet(new LinkedHashSet<>(popMark(at))));
        case 'a' -> { // APPEND
          Object value = pop(at);
          list(peek(at), at).add(value);
        }
        case 'e' -> { // APPENDS
          List<Object> values = popMark(at);
          list(peek(at), at).addAll(values);
        }
        case 's' -> { // SETITEM
          Object value = pop(at);
          Object key = pop(at);
          map(peek(at), at).put(key, value);
        }
        case 'u' -> { // SETITEMS
          List<Object> items = popMark(at);
          putAll(map(peek(at), at), items, at);
        }
        case 0x90 -> { // ADDITEMS
          List<Object> items = popMark(at);
          Object set = peek(at);
          if (!(set instanceof Set<?>)) {
            throw error("malformed: ADDITEMS on a " + typeName(set), at);
          }
          @SuppressWarnings("unchecked")
          Set<Object> s = (Set<Object>) set;
          s.addAll(items);
        }
        case 'p' -> memo.put(textMemoKey(line(), at), peek(at)); // PUT
        case 'q' -> memo.put((long) u8(), peek(at)); // BINPUT
        case 'r' -> memo.put(le(4, false) & 0xffffffffL, peek(at)); // LONG_BINPUT
        case 0x94 -> memo.put((long) memo.size(), peek(at)); // MEMOIZE
        case 'g' -> push(fromMemo(textMemoKey(line(), at), at)); // GET
        case 'h' -> push(fromMemo(u8(), at)); // BINGET
        case 'j' -> push(fromMemo(le(4, false) & 0xffffffffL, at)); // LONG_BINGET
        default -> throw unsupported(op, at);
      }
    }
  }

  private InputException unsupported(int op, int at) {
    String name =
        switch (op) {
          case 'c' -> "GLOBAL";
          case 0x93 -> "STACK_GLOBAL";
          case 'R' -> "REDUCE";
          case 'b' -> "BUILD";
          case 'i' -> "INST";
          case 'o' -> "OBJ";
          case 0x81 -> "NEWOBJ";
          case 0x92 -> "NEWOBJ_EX";
          case 'P', 'Q' -> "PERSID";
          case 0x82, 0x83, 0x84 -> "EXT";
          default -> null;
        };
    if (name != null) {
      return error(
          "opcode "
              + name
              + " builds a Python object; only plain data (lists, dicts, strings, numbers) "
              + "is read",
          at);
    }
    return error(String.format("unknown or unsupported pickle opcode 0x%02x", op), at);
  }

  private InputException error(String problem, int at) {
    return new InputException(source + ": " + problem + " (at byte " + at + ")");
  }

  private void push(Object value) {
    stack.add(value);
  }

  private Object pop(int at) throws InputException {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw error("malformed: a value is taken from an empty stack", at);
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek(int at) throws InputException {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw error("malformed: a value is read from an empty stack", at);
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark(int at) throws InputException {
    if (marks.isEmpty()) {
      throw error("malformed: no MARK on the stack", at);
    }
    int mark = marks.remove(marks.size() - 1);
    List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
    stack.subList(mark, stack.size()).clear();
    return items;
  }

  private List<Object> tuple(int n, int at) throws InputException {
    Object[] items = new Object[n];
    for (int i = n - 1; i >= 0; i--) {
      items[i] = pop(at);
    }
    return Collections.unmodifiableList(new ArrayList<>(List.of(items)));
  }

  private Object fromMemo(long key, int at) throws InputException {
    if (!memo.containsKey(key)) {
      throw error("malformed: memo entry " + key + " is read before it is written", at);
    }
    return memo.get(key);
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Object value, int at) throws InputException {
    if (!(value instanceof ArrayList<?>)) {
      throw error("malformed: APPEND to a " + typeName(value), at);
    }
    return (List<Object>) value;
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> map(Object value, int at) throws InputException {
    if (!(value instanceof Map<?, ?>)) {
      throw error("malformed: SETITEM on a " + typeName(value), at);
    }
    return (Map<Object, Object>) value;
  }

  private void putAll(Map<Object, Object> map, List<Object> items, int at) throws InputException {
    if (items.size() % 2 != 0) {
      throw error("malformed: odd number of dict keys and values", at);
    }
    for (int i = 0; i < items.size(); i += 2) {
      Object key = items.get(i);
      if (key instanceof List<?> || key instanceof Map<?, ?> || key instanceof byte[]) {
        throw error("unsupported dict key of type " + typeName(key), at);
      }
      map.put(key, items.get(i + 1));
    }
  }

  private static String typeName(Object value) {
    return value == null ? "None" : value.getClass().getSimpleName();
  }

  private int u8() throws InputException {
    if (pos >= data.length) {
      throw error("ends inside an opcode's argument", pos);
    }
    return data[pos++] & 0xff;
  }

  private long le(int n, boolean signed) throws InputException {
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (long) u8() << (8 * i);
    }
    if (signed && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
      v -= 1L << (8 * n);
    }
    return v;
  }

  private int length(int n, int at) throws InputException {
    long v = le(n, false);
    if (v < 0 || v > data.length - pos) {
      throw error("a length of " + v + " runs past the end of the file", at);
    }
    return (int) v;
  }

  private byte[] bytes(int n) throws InputException {
    if (n > data.length - pos) {
      throw error("ends inside an opcode's argument", pos);
    }
    byte[] out = new byte[n];
    System.arraycopy(data, pos, out, 0, n);
    pos += n;
    return out;
  }

  /** The bytes up to the next newline (consumed), for the text opcodes of protocol 0. */
  private byte[] line() throws InputException {
    int start = pos;
    while (pos < data.length && data[pos] != '\n') {
      pos++;
    }
    if (pos >= data.length) {
      throw error("ends inside a text argument", start);
    }
    byte[] out = new byte[pos - start];
    System.arraycopy(data, start, out, 0, out.length);
    pos++;
    return out;
  }

  private String utf8(byte[] bytes, int at) throws InputException {
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    try {
      return decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw error("a string is not valid UTF-8", at);
    }
  }

  private static Object binaryLong(byte[] littleEndian) {
    if (littleEndian.length == 0) {
      return 0L;
    }
    byte[] big = new byte[littleEndian.length];
    for (int i = 0; i < big.length; i++) {
      big[i] = littleEndian[big.length - 1 - i];
    }
    return narrow(new BigInteger(big));
  }

  private static Object narrow(BigInteger v) {
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private Object textInt(byte[] line, int at) throws InputException {
    String s = new String(line, StandardCharsets.US_ASCII).strip();
    if (s.equals("00")) {
      return Boolean.FALSE;
    }
    if (s.equals("01")) {
      return Boolean.TRUE;
    }
    return textLong(line, at);
  }

  private Object textLong(byte[] line, int at) throws InputException {
    String s = new String(line, StandardCharsets.US_ASCII).strip();
    if (s.endsWith("L")) {
      s = s.substring(0, s.length() - 1);
    }
    try {
      return narrow(new BigInteger(s));
    } catch (NumberFormatException e) {
      throw error("malformed integer '" + s + "'", at);
    }
  }

  private double textFloat(byte[] line, int at) throws InputException {
    String s = new String(line, StandardCharsets.US_ASCII).strip();
    switch (s) {
      case "inf":
        return Double.POSITIVE_INFINITY;
      case "-inf":
        return Double.NEGATIVE_INFINITY;
      case "nan":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw error("malformed float '" + s + "'", at);
        }
    }
  }

  private long textMemoKey(byte[] line, int at) throws InputException {
    String s = new String(line, StandardCharsets.US_ASCII).strip();
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw error("malformed memo key '" + s + "'", at);
    }
  }

  /** A protocol 0 STRING argument: a Python 2 repr, quoted with ' or ", with its escapes. */
  private byte[] quoted(byte[] line, int at) throws InputException {
    int n = line.length;
    if (n < 2 || (line[0] != '\'' && line[0] != '"') || line[n - 1] != line[0]) {
      throw error("malformed STRING argument", at);
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(n);
    for (int i = 1; i < n - 1; i++) {
      byte b = line[i];
      if (b != '\\') {
        out.write(b);
        continue;
      }
      if (++i >= n - 1) {
        throw error("malformed escape in a STRING argument", at);
      }
      byte e = line[i];
      switch (e) {
        case 'n' -> out.write('\n');
        case 't' -> out.write('\t');
        case 'r' -> out.write('\r');
        case 'a' -> out.write(7);
        case 'b' -> out.write(8);
        case 'f' -> out.write(12);
        case 'v' -> out.write(11);
        case '\\', '\'', '"' -> out.write(e);
        case 'x' -> {
          if (i + 2 > n - 2) {
            throw error("malformed \\x escape in a STRING argument", at);
          }
          out.write(hex(line, i + 1, 2, at));
          i += 2;
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int v = 0;
            int k = 0;
            while (k < 3 && i < n - 1 && line[i] >= '0' && line[i] <= '7') {
              v = v * 8 + (line[i] - '0');
              i++;
              k++;
            }
            i--;
            out.write(v & 0xff);
          } else {
            out.write('\\');
            out.write(e);
          }
        }
      }
    }
    return out.toByteArray();
  }

  /** A protocol 0 UNICODE argument: raw-unicode-escape (latin-1 bytes, \\uXXXX, \\UXXXXXXXX). */
  private String rawUnicode(byte[] line, int at) throws InputException {
    StringBuilder out = new StringBuilder(line.length);
    for (int i = 0; i < line.length; i++) {
      int b = line[i] & 0xff;
      if (b == '\\' && i + 1 < line.length && (line[i + 1] == 'u' || line[i + 1] == 'U')) {
        int digits = line[i + 1] == 'u' ? 4 : 8;
        if (i + 2 + digits > line.length) {
          throw error("malformed \\u escape in a UNICODE argument", at);
        }
        out.appendCodePoint(hex(line, i + 2, digits, at));
        i += 1 + digits;
      } else {
        out.append((char) b);
      }
    }
    return out.toString();
  }

  private int hex(byte[] line, int from, int digits, int at) throws InputException {
    try {
      return Integer.parseUnsignedInt(
          new String(line, from, digits, StandardCharsets.US_ASCII), 16);
    } catch (NumberFormatException e) {
      throw error("malformed hexadecimal escape", at);
    }
  }
}
