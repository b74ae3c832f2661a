package org.diffris.spark;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.TaskSchedulerImpl;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * How the driver stops on SIGINT or SIGTERM (Ctrl-C, {@code kill}, a cluster manager ending the
 * application): the running Spark jobs are cancelled (window tasks stop at their next tile), the
 * driver's thread unwinds and deletes every output not yet complete once no task can write to it
 * any more, and only then does the JVM exit, with 128 + the signal's number and one line. Outputs
 * move into place only through {@link #commit}, which a stop that came first refuses; a stop that
 * comes after it leaves the complete outputs.
 *
 * <p>Without {@link #install} (the job called from code, as the tests do) nothing here acts but
 * the commit lock.
 */
final class JobStop {
  /** Test seam: the name of a stage at which the driver waits for a signal, to stop it there. */
  static final String HOLD_PROPERTY = "diffris.spark.holdAt";

  private static final long UNWIND_WAIT_SECONDS = 300;
  private static final Object LOCK = new Object();
  private static String signal; // guarded by LOCK
  private static boolean committed; // guarded by LOCK
  private static volatile SparkContext context;
  private static final CountDownLatch UNWOUND = new CountDownLatch(1);

  private JobStop() {}

  /** The driver's stop, thrown where it is noticed; unwinding deletes the partial outputs. */
  static final class StoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoppedException() {
      super("stopped by SIG" + signalName());
    }
  }

  /** Handles SIGINT and SIGTERM from now on (the driver's main, before Spark starts). */
  static void install() {
    for (String name : new String[] {"INT", "TERM"}) {
      Signal sig = new Signal(name);
      SignalHandler[] previous = new SignalHandler[1];
      try {
        previous[0] = Signal.handle(sig, s -> stop(s, previous[0]));
      } catch (IllegalArgumentException e) {
        // the JVM was started without signal handling (-Xrs): its default stands
      }
    }
  }

  /** The driver's Spark: jobs submitted after a stop are cancelled as they start. */
  static void attach(SparkContext sc) {
    context = sc;
    sc.addSparkListener(
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart start) {
            if (requested()) {
              sc.cancelJob(start.jobId());
            }
          }
        });
  }

  static boolean requested() {
    synchronized (LOCK) {
      return signal != null;
    }
  }

  private static String signalName() {
    synchronized (LOCK) {
      return signal;
    }
  }

  /** Throws when a stop was requested: the driver's check between stages. */
  static void check() {
    if (requested()) {
      throw new StoppedException();
    }
  }

  /** The moves that put complete outputs in place; done only when no stop came first. */
  interface Moves {
    void run() throws IOException;
  }

  static void commit(Moves moves) throws IOException {
    synchronized (LOCK) {
      check();
      moves.run();
      committed = true;
    }
  }

  /**
   * The test seam: at stage {@code stage}, when {@link #HOLD_PROPERTY} names it, says so on stderr
   * and waits until a stop, which it throws. Lets a test stop the job at a defined point without
   * depending on how long the job's steps take.
   */
  static void holdAt(String stage) {
    if (!stage.equals(System.getProperty(HOLD_PROPERTY))) {
      return;
    }
    System.err.println("diffris-spark: holding at " + stage + " (" + HOLD_PROPERTY + ")");
    System.err.flush();
    synchronized (LOCK) {
      while (signal == null) {
        try {
          LOCK.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoppedException();
        }
      }
    }
    throw new StoppedException();
  }

  /**
   * Waits until no task runs on any executor: after a cancel, a task still running may yet write
   * into an output folder. The scheduler counts a task as running until the executor has reported
   * its end, which comes after its last write.
   */
  static void awaitNoRunningTasks(SparkContext sc) {
    if (sc == null || sc.isStopped() || !(sc.taskScheduler() instanceof TaskSchedulerImpl)) {
      return;
    }
    TaskSchedulerImpl scheduler = (TaskSchedulerImpl) sc.taskScheduler();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(UNWIND_WAIT_SECONDS);
    while (System.nanoTime() < end) {
      boolean any = false;
      scala.collection.Iterator<Object> counts =
          scheduler.runningTasksByExecutors().valuesIterator();
      while (counts.hasNext()) {
        any |= ((Number) counts.next()).intValue() > 0;
      }
      if (!any) {
        return;
      }
      try {
        Thread.sleep(20); // polling a state the scheduler offers no wait for
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * The driver's thread after a stop has unwound (its partial outputs deleted): the signal's
   * handler may let the JVM exit. Never returns; the JVM's exit ends the thread.
   */
  static void unwound() {
    UNWOUND.countDown();
    synchronized (LOCK) {
      while (true) {
        try {
          LOCK.wait();
        } catch (InterruptedException e) {
          // waiting for the JVM to exit
        }
      }
    }
  }

  private static void stop(Signal sig, SignalHandler previous) {
    boolean afterCommit;
    synchronized (LOCK) {
      if (signal != null) {
        exit(sig, previous); // a second signal: no more waiting
        return;
      }
      signal = sig.getName();
      afterCommit = committed;
      LOCK.notifyAll();
    }
    SparkContext sc = context;
    if (!afterCommit && sc != null && !sc.isStopped()) {
      // Cancelled tasks' warnings are not the user's concern: the one line below is.
      sc.setLogLevel("OFF");
      sc.cancelAllJobs();
      try {
        UNWOUND.await(UNWIND_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    System.err.println(
        "diffris-spark: stopped by SIG"
            + sig.getName()
            + (afterCommit ? " after the outputs were written" : "; nothing written"));
    System.err.flush();
    exit(sig, previous);
  }

  /** The JVM's own handling: its shutdown hooks, then exit with 128 + the signal's number. */
  private static void exit(Signal sig, SignalHandler previous) {
    if (previous == null
        || previous == SignalHandler.SIG_DFL
        || previous == SignalHandler.SIG_IGN) {
      Runtime.getRuntime().exit(128 + sig.getNumber());
    } else {
      previous.handle(sig);
    }
  }
}
