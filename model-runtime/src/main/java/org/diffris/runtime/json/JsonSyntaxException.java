package org.diffris.runtime.json;

import java.io.IOException;

/**
 * A text that is not valid RFC 8259 JSON, or bytes that are not valid UTF-8; the message names the
 * source, line and column.
 */
public final class JsonSyntaxException extends IOException {
  private final String source;
  private final int line;
  private final int column;
  private final String problem;

  JsonSyntaxException(String source, int line, int column, String problem) {
    super(source + " line " + line + ", column " + column + ": " + problem);
    this.source = source;
    this.line = line;
    this.column = column;
    this.problem = problem;
  }

  /** What is wrong, without the location. */
  public String problem() {
    return problem;
  }

  /** The name of the file or stream that was read, as given to the reader. */
  public String source() {
    return source;
  }

  /** 1-based line of the problem. */
  public int line() {
    return line;
  }

  /** 1-based column of the problem (UTF-16 units; bytes for a UTF-8 error). */
  public int column() {
    return column;
  }
}
