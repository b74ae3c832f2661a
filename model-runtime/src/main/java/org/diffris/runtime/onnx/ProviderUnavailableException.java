package org.diffris.runtime.onnx;

/**
 * The requested execution provider cannot run here (for example {@code cuda} with the CPU-only ONNX
 * Runtime, or without a usable GPU). Never answered by a silent CPU run: only {@code auto} falls
 * back.
 */
public final class ProviderUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String reason;

  /**
   * @param message the whole story, for a user who asked for CUDA
   * @param reason the cause alone, for {@code auto}'s note (for example "this ONNX Runtime build
   *     has no CUDA provider")
   */
  public ProviderUnavailableException(String message, String reason, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Why CUDA cannot run, in a few words. */
  public String reason() {
    return reason;
  }
}
