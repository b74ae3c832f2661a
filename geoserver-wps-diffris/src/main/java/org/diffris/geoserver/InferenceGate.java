package org.diffris.geoserver;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Caps how many segmentations run at once on one model. Extra requests wait in arrival order
 * (a fair semaphore) instead of failing; a waiting request whose client cancels leaves the
 * queue. Thread-safe.
 */
public final class InferenceGate {
  private final Semaphore permits;
  private final int capacity;

  public InferenceGate(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("at least one concurrent inference, got " + capacity);
    }
    this.capacity = capacity;
    this.permits = new Semaphore(capacity, true);
  }

  /** One run's permit; closing it lets the next waiting request in. */
  public interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Waits for a free slot, checking {@code cancelled} every 200 ms while queued.
   *
   * @return null when cancelled (or interrupted) before a slot was free
   */
  public Permit enter(BooleanSupplier cancelled) {
    try {
      while (!permits.tryAcquire(200, TimeUnit.MILLISECONDS)) {
        if (cancelled.getAsBoolean()) {
          return null;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    boolean[] closed = {false};
    return () -> {
      synchronized (closed) {
        if (!closed[0]) {
          closed[0] = true;
          permits.release();
        }
      }
    };
  }

  public int capacity() {
    return capacity;
  }

  /** Requests waiting for a slot (an estimate, for tests and monitoring). */
  public int queued() {
    return permits.getQueueLength();
  }

  /** Runs in progress. */
  public int running() {
    return capacity - permits.availablePermits();
  }
}
