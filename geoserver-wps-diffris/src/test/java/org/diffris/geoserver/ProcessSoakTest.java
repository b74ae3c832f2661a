package org.diffris.geoserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffris.runtime.onnx.GraphSession;
import org.geotools.api.feature.simple.SimpleFeature;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.data.util.DefaultProgressListener;
import org.geotools.process.ProcessException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code diffris:Segment} under load, as a busy GeoServer runs it: 8 threads send 20 requests
 * each to one shared model, mixing rasters, queries, cancelled requests and bad inputs. Every
 * answered request equals its serial run, feature for feature; every cancelled one stops after
 * the first batch of tiles; every bad one fails with its own message; afterwards no tile reader
 * thread is left and the model's sessions are the same two.
 */
class ProcessSoakTest {
  private static final int THREADS = 8;
  private static final int REQUESTS = 20;
  private static final Pattern CANCELLED =
      Pattern.compile("cancelled after (\\d+) of (\\d+) tiles");

  static final List<String> QUERIES = List.of("tanks", "white things", "a", "the red one");
  static final Map<String, String> SERIAL = new HashMap<>();
  static List<GridCoverage2D> coverages;

  @BeforeAll
  static void serialAnswers() throws Exception {
    TestBundle.install();
    LoadedModels.retireAll();
    coverages =
        List.of(
            TestCoverages.standard(),
            TestCoverages.standardFromGeoTiff(),
            TestCoverages.coverage(
                TestCoverages.scene(700, 500, new int[][] {{30, 40, 20, 10}, {400, 300, 90, 60}}),
                new java.awt.geom.AffineTransform(
                    0.5, 0, 0, -0.5, TestCoverages.ORIGIN_X, TestCoverages.ORIGIN_Y),
                TestCoverages.utm33()));
    for (int c = 0; c < coverages.size(); c++) {
      for (String query : QUERIES) {
        SERIAL.put(c + "|" + query, answer(coverages.get(c), query, null));
      }
    }
  }

  @AfterAll
  static void back() {
    LoadedModels.retireAll();
  }

  /** Every feature's geometry (full precision), score and pixels, in order. */
  static String answer(GridCoverage2D coverage, String query, DefaultProgressListener listener) {
    Map<String, Object> in = SegmentProcessTest.inputs(coverage, query);
    StringBuilder text = new StringBuilder();
    for (SimpleFeature f : SegmentProcessTest.features(SegmentProcessTest.run(in, listener))) {
      text.append(f.getDefaultGeometry())
          .append(' ')
          .append(f.getAttribute("score"))
          .append(' ')
          .append(f.getAttribute("pixels"))
          .append('\n');
    }
    return text.toString();
  }

  @Test
  void eightThreadsOfMixedRequestsOnOneModel() throws Exception {
    assertTrue(
        SERIAL.values().stream().filter(a -> !a.isEmpty()).count() >= 6,
        "most serial answers hold objects to compare");
    int sessionsBefore = GraphSession.openSessions();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<int[]>> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      threads.add(
          pool.submit(
              () -> {
                int[] kinds = new int[3]; // answered, cancelled, refused
                for (int r = 0; r < REQUESTS; r++) {
                  int n = thread * REQUESTS + r;
                  int c = n % coverages.size();
                  String query = QUERIES.get((n / 3) % QUERIES.size());
                  try {
                    switch (n % 5) {
                      case 3 -> {
                        cancelled(coverages.get(2), query);
                        kinds[1]++;
                      }
                      case 4 -> {
                        refused(coverages.get(c), query);
                        kinds[2]++;
                      }
                      default -> {
                        String got = answer(coverages.get(c), query, null);
                        if (!got.equals(SERIAL.get(c + "|" + query))) {
                          failures.add("request " + n + " differs from its serial run");
                        }
                        kinds[0]++;
                      }
                    }
                  } catch (AssertionError | RuntimeException e) {
                    failures.add("request " + n + ": " + e);
                  }
                }
                return kinds;
              }));
    }
    int[] total = new int[3];
    for (Future<int[]> f : threads) {
      int[] kinds = f.get(5, TimeUnit.MINUTES);
      for (int k = 0; k < 3; k++) {
        total[k] += kinds[k];
      }
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
    assertEquals(List.of(), List.copyOf(failures));
    assertEquals(THREADS * REQUESTS, total[0] + total[1] + total[2]);
    assertTrue(
        total[0] >= 90 && total[1] >= 30 && total[2] >= 30, java.util.Arrays.toString(total));
    // Nothing left running or open: tile readers end with their run, the model keeps its two
    // sessions.
    // Reader threads end right after their run: wait for that state (the cap only keeps a
    // leak from hanging the build), not for a fixed time a slow machine may overrun.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (readerThreads() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, readerThreads(), "tile reader threads left");
    assertEquals(sessionsBefore, GraphSession.openSessions());
  }

  /** Cancelled at the first progress report: stops after the first batch of four tiles. */
  static void cancelled(GridCoverage2D coverage, String query) {
    DefaultProgressListener listener =
        new DefaultProgressListener() {
          @Override
          public void progress(float percent) {
            setCanceled(true);
          }
        };
    try {
      answer(coverage, query, listener);
      throw new AssertionError("a cancelled request answered");
    } catch (ProcessException e) {
      String message = SegmentProcessTest.rootMessage(e);
      Matcher m = CANCELLED.matcher(message);
      if (!m.find()) {
        throw new AssertionError("not a cancellation: " + message);
      }
      if (Integer.parseInt(m.group(1)) != 4) {
        throw new AssertionError("ran past the first batch: " + message);
      }
    }
  }

  /** A band that is not there: its own message, nothing else. */
  static void refused(GridCoverage2D coverage, String query) {
    Map<String, Object> in = SegmentProcessTest.inputs(coverage, query);
    in.put("bands", "1,2,9");
    try {
      SegmentProcessTest.run(in, null);
      throw new AssertionError("a bad request answered");
    } catch (ProcessException e) {
      String message = SegmentProcessTest.rootMessage(e);
      if (!message.equals("band 9 requested, the raster has 3 bands (numbered from 1)")) {
        throw new AssertionError("wrong message: " + message);
      }
    }
  }

  static long readerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("diffris-tile-reader") && t.isAlive())
        .count();
  }
}
