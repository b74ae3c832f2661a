package org.diffris.runtime.onnx;

/**
 * The execution provider that actually runs a model, for the host to print on every run.
 *
 * @param requested what the user asked for
 * @param name {@code "CPU"} or {@code "CUDA"}
 * @param deviceId the GPU index for CUDA, 0 for CPU
 * @param note why the provider differs from the request ({@code auto} falling back to CPU), or
 *     empty
 */
public record ProviderReport(ExecutionProvider requested, String name, int deviceId, String note) {

  public boolean isCuda() {
    return name.equals("CUDA");
  }

  /** For example {@code "CPU"}, {@code "CUDA:1"}, {@code "CPU (auto: CUDA not available: ...)"}. */
  @Override
  public String toString() {
    String ran = isCuda() ? "CUDA:" + deviceId : name;
    return note.isEmpty() ? ran : ran + " (" + note + ")";
  }
}
