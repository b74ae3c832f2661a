package org.diffris.runtime.onnx;

/**
 * The requested execution provider cannot run here (for example {@code cuda} with the CPU-only ONNX
 * Runtime, or without a usable GPU). Never answered by a silent CPU run: only {@code auto} falls
 * back.
 */
public final class ProviderUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ProviderUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
