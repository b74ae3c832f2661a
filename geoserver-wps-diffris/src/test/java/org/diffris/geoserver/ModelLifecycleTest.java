package org.diffris.geoserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.diffris.runtime.onnx.GraphSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running plugin whose {@code diffris.model} changes between requests holds one model's
 * sessions afterwards: the replaced model is closed once the requests using it end, never before.
 * Sessions are counted by ONNX Runtime session objects opened and not closed in this JVM.
 */
class ModelLifecycleTest {
  /** One bundle is a text encoder and a segmenter: two sessions. */
  private static final int SESSIONS_PER_MODEL = 2;

  @TempDir static Path copies;

  @AfterAll
  static void back() throws Exception {
    TestBundle.install();
    LoadedModels.retireAll();
  }

  private static Path copyOfTestBundle(String name) throws Exception {
    Path target = copies.resolve(name);
    Path source = TestBundle.folder();
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path to = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.copy(file, to);
        }
      }
    }
    return target;
  }

  private static void segment() throws Exception {
    assertFalse(
        SegmentProcessTest.features(
                SegmentProcessTest.run(
                    SegmentProcessTest.inputs(TestCoverages.standardFromGeoTiff(), "tanks"), null))
            .isEmpty());
  }

  @Test
  void switchingTheModelBetweenRequestsClosesTheOldSessions() throws Exception {
    LoadedModels.retireAll();
    int before = GraphSession.openSessions();
    Path a = copyOfTestBundle("a");
    Path b = copyOfTestBundle("b");

    System.setProperty("diffris.model", a.toString());
    segment();
    assertEquals(before + SESSIONS_PER_MODEL, GraphSession.openSessions(), "model a loaded");
    segment();
    assertEquals(
        before + SESSIONS_PER_MODEL, GraphSession.openSessions(), "a reused, not reloaded");

    System.setProperty("diffris.model", b.toString());
    segment();
    assertEquals(before + SESSIONS_PER_MODEL, GraphSession.openSessions(), "a closed, b loaded");

    System.setProperty("diffris.threads", "1"); // another thread setting: another model too
    try {
      segment();
      assertEquals(before + SESSIONS_PER_MODEL, GraphSession.openSessions(), "b replaced");
    } finally {
      System.clearProperty("diffris.threads");
    }
  }

  @Test
  void aReplacedModelServesItsRunningJobsThenCloses() throws Exception {
    LoadedModels.retireAll();
    int before = GraphSession.openSessions();
    Path a = copyOfTestBundle("running-a");
    Path b = copyOfTestBundle("running-b");
    System.setProperty("diffris.model", a.toString());
    LoadedModels.Lease running = LoadedModels.lease(ServerSettings.current());
    System.setProperty("diffris.model", b.toString());
    segment(); // loads b while a job still holds a
    assertEquals(
        before + 2 * SESSIONS_PER_MODEL, GraphSession.openSessions(), "a kept for its job");
    assertEquals("analytic-test 0.0.1", running.segmenter().label(), "a still usable");
    running.close();
    assertEquals(
        before + SESSIONS_PER_MODEL, GraphSession.openSessions(), "a closed after its job");
    running.close(); // a second close changes nothing
    assertEquals(before + SESSIONS_PER_MODEL, GraphSession.openSessions());
  }
}
