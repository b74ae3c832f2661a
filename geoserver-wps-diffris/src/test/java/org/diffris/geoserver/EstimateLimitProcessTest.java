package org.diffris.geoserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.diffris.pipeline.TileCostCache;
import org.diffris.runtime.json.JsonReader;
import org.geotools.data.util.NullProgressListener;
import org.geotools.process.ProcessException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diffris.maxEstimatedSeconds}: a request whose estimated time is above it is refused
 * before the run starts, with the estimate in the message; below it the request runs and its
 * measured cost goes to the tile-cost cache. Without it nothing is estimated or cached.
 */
class EstimateLimitProcessTest {
  @TempDir Path cache;
  private String previousCache;

  @BeforeAll
  static void useTestBundle() throws Exception {
    TestBundle.install();
  }

  @BeforeEach
  void ownCache() {
    previousCache = System.setProperty(TileCostCache.DIRECTORY_PROPERTY, cache.toString());
  }

  @AfterEach
  void reset() {
    System.clearProperty("diffris.maxEstimatedSeconds");
    if (previousCache == null) {
      System.clearProperty(TileCostCache.DIRECTORY_PROPERTY);
    } else {
      System.setProperty(TileCostCache.DIRECTORY_PROPERTY, previousCache);
    }
  }

  /** Counts what the process tells GeoServer: a refused request never starts. */
  private static final class Listener extends NullProgressListener {
    int started;
    int progressed;

    @Override
    public void started() {
      started++;
    }

    @Override
    public void progress(float percent) {
      progressed++;
    }
  }

  @Test
  void aRequestEstimatedAboveTheLimitIsRefusedBeforeItStarts() {
    System.setProperty("diffris.maxEstimatedSeconds", "0.000001");
    Listener listener = new Listener();
    ProcessException refused =
        assertThrows(
            ProcessException.class,
            () ->
                SegmentProcessTest.run(
                    SegmentProcessTest.inputs(TestCoverages.standard(), "white"), listener));
    String message = SegmentProcessTest.rootMessage(refused);
    assertTrue(message.startsWith("the request is estimated at "), message);
    assertTrue(message.contains(" tiles × "), message);
    assertTrue(message.contains("calibrated now"), message);
    assertTrue(
        message.endsWith(
            "above this server's limit of 1.00e-06 s (diffris.maxEstimatedSeconds /"
                + " DIFFRIS_MAX_ESTIMATED_SECONDS); give a smaller roi or a coarser coverage"),
        message);
    assertEquals(0, listener.started, "refused before the run started");
    assertEquals(0, listener.progressed);
  }

  @Test
  void aRequestWithinTheLimitRunsAndTeachesTheCache() throws Exception {
    System.setProperty("diffris.maxEstimatedSeconds", "3600");
    Listener listener = new Listener();
    assertFalse(
        SegmentProcessTest.features(
                SegmentProcessTest.run(
                    SegmentProcessTest.inputs(TestCoverages.standard(), "white"), listener))
            .isEmpty());
    assertEquals(1, listener.started);
    Map<?, ?> costs =
        (Map<?, ?>)
            ((Map<?, ?>)
                    JsonReader.parse(
                        Files.readString(cache.resolve("tile-costs.json")), "tile-costs.json"))
                .get("costs");
    assertEquals(1, costs.size());
    Map<?, ?> entry = (Map<?, ?>) costs.values().iterator().next();
    assertEquals(1L, entry.get("runs"));
    assertTrue(entry.containsKey("calibrated_seconds_per_tile"));
  }

  @Test
  void withoutALimitNothingIsEstimatedOrCached() {
    SegmentProcessTest.run(SegmentProcessTest.inputs(TestCoverages.standard(), "white"), null);
    assertFalse(Files.exists(cache.resolve("tile-costs.json")));
  }

  @Test
  void theSettingIsReadLikeTheOthers() {
    Properties p = new Properties();
    assertEquals(0, ServerSettings.read(p, Map.of()).maxEstimatedSeconds());
    assertEquals(
        90,
        ServerSettings.read(p, Map.of("DIFFRIS_MAX_ESTIMATED_SECONDS", "90"))
            .maxEstimatedSeconds());
    p.setProperty("diffris.maxEstimatedSeconds", "2.5");
    assertEquals(
        2.5,
        ServerSettings.read(p, Map.of("DIFFRIS_MAX_ESTIMATED_SECONDS", "90"))
            .maxEstimatedSeconds());
    p.setProperty("diffris.maxEstimatedSeconds", "soon");
    assertEquals(
        "diffris.maxEstimatedSeconds / DIFFRIS_MAX_ESTIMATED_SECONDS is 'soon'; give a number of"
            + " seconds, 0 or more (0: no limit)",
        assertThrows(IllegalArgumentException.class, () -> ServerSettings.read(p, Map.of()))
            .getMessage());
  }
}
