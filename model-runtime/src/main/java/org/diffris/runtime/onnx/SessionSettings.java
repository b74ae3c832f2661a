package org.diffris.runtime.onnx;

/**
 * How ONNX Runtime sessions are made: the execution provider and the thread counts.
 *
 * @param provider where to run
 * @param intraOpThreads threads inside one operator, 0 = ONNX Runtime's default (one per core)
 * @param interOpThreads threads across independent operators, 0 = ONNX Runtime's default
 */
public record SessionSettings(ExecutionProvider provider, int intraOpThreads, int interOpThreads) {

  public SessionSettings {
    if (provider == null) {
      throw new IllegalArgumentException(
          "execution provider must be given; use " + ExecutionProvider.ACCEPTED);
    }
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException(
          "thread counts must be 0 (default) or more, got intra-op "
              + intraOpThreads
              + ", inter-op "
              + interOpThreads);
    }
  }

  /** The provider with ONNX Runtime's default thread counts. */
  public static SessionSettings of(ExecutionProvider provider) {
    return new SessionSettings(provider, 0, 0);
  }

  public SessionSettings withThreads(int intraOp, int interOp) {
    return new SessionSettings(provider, intraOp, interOp);
  }
}
