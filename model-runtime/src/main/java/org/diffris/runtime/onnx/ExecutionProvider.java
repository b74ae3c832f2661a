package org.diffris.runtime.onnx;

import java.util.Locale;

/**
 * Where a user asks the model to run: {@code cpu}, {@code cuda} (device 0), {@code cuda:N}, or
 * {@code auto} (CUDA device 0 where it loads, otherwise CPU, and the run says so). Immutable.
 */
public record ExecutionProvider(Kind kind, int deviceId) {
  /** The accepted spellings, for error messages and help texts. */
  public static final String ACCEPTED = "cpu, cuda, cuda:N (N = GPU index, 0 or more) or auto";

  /** What was asked for. */
  public enum Kind {
    CPU,
    CUDA,
    AUTO
  }

  public static final ExecutionProvider CPU = new ExecutionProvider(Kind.CPU, 0);
  public static final ExecutionProvider AUTO = new ExecutionProvider(Kind.AUTO, 0);

  public ExecutionProvider {
    if (deviceId < 0) {
      throw new IllegalArgumentException("GPU index must be 0 or more, got " + deviceId);
    }
  }

  public static ExecutionProvider cuda(int deviceId) {
    return new ExecutionProvider(Kind.CUDA, deviceId);
  }

  /** Parses the user's spelling; a clear {@link IllegalArgumentException} names what is accepted. */
  public static ExecutionProvider parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    switch (t) {
      case "cpu":
        return CPU;
      case "auto":
        return AUTO;
      case "cuda":
      case "gpu":
        return cuda(0);
      default:
        break;
    }
    if (t.startsWith("cuda:")) {
      String index = t.substring(5);
      if (index.matches("[0-9]{1,4}")) {
        return cuda(Integer.parseInt(index));
      }
    }
    throw new IllegalArgumentException(
        "execution provider '" + text + "' is not known; use " + ACCEPTED);
  }

  @Override
  public String toString() {
    return kind == Kind.CUDA ? "cuda:" + deviceId : kind.name().toLowerCase(Locale.ROOT);
  }
}
