package org.diffris.geoserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.geotools.data.util.DefaultProgressListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cap on concurrent inferences queues requests instead of failing them. */
class ConcurrencyTest {

  @BeforeAll
  static void oneAtATime() throws Exception {
    TestBundle.install();
    LoadedModels.retireAll(); // the cap is read when the model loads
    System.setProperty("diffris.maxConcurrent", "1");
  }

  @AfterAll
  static void reset() {
    System.clearProperty("diffris.maxConcurrent");
    LoadedModels.retireAll();
  }

  @Test
  void gateQueuesInArrivalOrderAndLetsCancelledWaitersGo() throws Exception {
    InferenceGate gate = new InferenceGate(1);
    InferenceGate.Permit first = gate.enter(() -> false);
    AtomicBoolean secondIn = new AtomicBoolean();
    Thread second =
        new Thread(
            () -> {
              try (InferenceGate.Permit p = gate.enter(() -> false)) {
                secondIn.set(p != null);
              }
            });
    second.start();
    // Wait for the state, however slow the machine: the cap only keeps a broken gate from
    // hanging the build.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (gate.queued() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(1, gate.queued());
    assertTrue(second.isAlive()); // waiting, not failed
    assertNull(gate.enter(() -> true)); // a cancelled waiter leaves the queue
    first.close();
    first.close(); // closing twice releases once
    second.join(TimeUnit.MINUTES.toMillis(2));
    assertTrue(secondIn.get());
    assertEquals(0, gate.running());
  }

  @Test
  void concurrentRequestsWaitForTheModelAndAllSucceed() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(
            pool.submit(
                () -> {
                  DefaultProgressListener listener =
                      new DefaultProgressListener() {
                        @Override
                        public void started() {
                          mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                        }

                        @Override
                        public void progress(float percent) {
                          try {
                            Thread.sleep(20); // keep the slot a little, so that others must queue
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        }

                        @Override
                        public void complete() {
                          running.decrementAndGet();
                        }
                      };
                  return SegmentProcessTest.features(
                          SegmentProcessTest.run(
                              SegmentProcessTest.inputs(TestCoverages.standard(), "tanks"),
                              listener))
                      .size();
                }));
      }
      for (Future<Integer> f : results) {
        assertEquals(2, f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, mostAtOnce.get());
  }
}
