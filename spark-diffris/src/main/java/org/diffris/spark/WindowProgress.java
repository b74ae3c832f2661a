package org.diffris.spark;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The windows stage's progress on the driver's stderr: a line when the first window is done and
 * at every further tenth ({@code diffris-spark: 1 of 108 windows done}).
 */
final class WindowProgress extends SparkListener {
  private static final String PROPERTY = "diffris.stage";
  private static final String WINDOWS = "windows";

  private final JavaSparkContext jsc;
  private final int total;
  private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
  private final AtomicInteger done = new AtomicInteger();

  private WindowProgress(JavaSparkContext jsc, int total) {
    this.jsc = jsc;
    this.total = total;
  }

  /** Counts the windows of the Spark jobs the calling thread submits until {@link #stop}. */
  static WindowProgress start(JavaSparkContext jsc, int total) {
    WindowProgress progress = new WindowProgress(jsc, total);
    jsc.sc().addSparkListener(progress);
    jsc.setLocalProperty(PROPERTY, WINDOWS);
    return progress;
  }

  void stop() {
    jsc.setLocalProperty(PROPERTY, null);
    jsc.sc().removeSparkListener(this);
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    if (start.properties() != null && WINDOWS.equals(start.properties().getProperty(PROPERTY))) {
      start.stageIds().foreach(id -> stages.add((Integer) id));
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if (!stages.contains(end.stageId()) || !end.taskInfo().successful()) {
      return;
    }
    int n = done.incrementAndGet();
    if (n == 1 || n * 10 / total > (n - 1) * 10 / total) {
      System.err.println("diffris-spark: " + n + " of " + total + " windows done");
    }
  }
}
