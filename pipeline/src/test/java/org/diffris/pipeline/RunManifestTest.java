package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffris.runtime.json.JsonReader;
import org.junit.jupiter.api.Test;

/**
 * The manifest's own parts, read back with the runtime's JSON reader (the whole document of a
 * real run is read back by the hosts' tests: {@code SegmentCommandTest}, {@code SegmentJobTest}).
 */
class RunManifestTest {
  @Test
  void writesJsonTheReaderGivesBackValueForValue() throws Exception {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("text", "quote \" backslash \\ newline \n tab \t bell \u0007 é");
    value.put("integer", 1234567890123L);
    value.put("real", 0.1 + 0.2);
    value.put("whole real", 3.0);
    value.put("tiny", 1e-300);
    value.put("not a number", Double.NaN);
    value.put("yes", true);
    value.put("nothing", null);
    value.put("list", List.of(1L, "two", List.of(), Map.of()));
    value.put("nested", List.of(Map.of("a", 1L)));
    Object back = JsonReader.parse(JsonText.of(value), "test");
    Map<?, ?> read = (Map<?, ?>) back;
    assertEquals(value.get("text"), read.get("text"));
    assertEquals(1234567890123.0, ((Number) read.get("integer")).doubleValue());
    assertEquals(0.1 + 0.2, ((Number) read.get("real")).doubleValue());
    assertEquals(3.0, ((Number) read.get("whole real")).doubleValue());
    assertEquals(1e-300, ((Number) read.get("tiny")).doubleValue());
    assertNull(read.get("not a number"));
    assertTrue(read.containsKey("not a number"));
    assertEquals(true, read.get("yes"));
    assertEquals(List.copyOf(value.keySet()), List.copyOf(read.keySet()));
    assertEquals(4, ((List<?>) read.get("list")).size());
  }

  @Test
  void startsWithFormatRunIdHostSoftwareAndStart() throws Exception {
    Instant started = Instant.parse("2026-12-06T07:00:00Z");
    RunManifest m = new RunManifest("diffris segment", "id-1", started);
    m.result(
        RunManifest.counts(10, 3, 5, 1, 0),
        RunManifest.timings(2000, 800, 100, 50),
        List.of(),
        4.0,
        2000);
    Map<?, ?> read = (Map<?, ?>) JsonReader.parse(m.json(), "manifest");
    assertEquals(RunManifest.FORMAT, read.get("format"));
    assertEquals("id-1", read.get("run_id"));
    assertEquals("diffris segment", read.get("host"));
    assertEquals(started.toString(), read.get("started"));
    Map<?, ?> software = (Map<?, ?>) read.get("software");
    // Stamped by the build from git in a checkout (HEAD's describe, here a linked worktree's own).
    if (java.nio.file.Files.exists(java.nio.file.Path.of("..", ".git"))) {
      assertEquals(gitDescribe(), software.get("version"));
    }
    assertEquals(SoftwareVersion.current().describe(), software.get("version"));
    Map<?, ?> counts = (Map<?, ?>) read.get("counts");
    assertEquals(7.0, ((Number) counts.get("tiles_run")).doubleValue());
    assertEquals(2.0, ((Number) read.get("km2_per_s")).doubleValue());
    assertEquals(m.jsonLine(), m.jsonLine().strip());
    assertTrue(!m.jsonLine().contains("\n"));
    assertEquals(read, JsonReader.parse(m.jsonLine(), "line"));
  }

  /** {@code git describe --always --dirty} of the checkout, as the build ran it. */
  private static String gitDescribe() throws Exception {
    Process git =
        new ProcessBuilder("git", "describe", "--always", "--dirty")
            .directory(java.nio.file.Path.of("..").toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(git.getInputStream().readAllBytes()).strip();
    assertEquals(0, git.waitFor(), out);
    return out;
  }

  @Test
  void theManifestIsNamedAfterTheOutputLessItsExtension() {
    assertEquals("tanks.run.json", RunManifest.fileNameFor("tanks.gpkg"));
    assertEquals("tanks.run.json", RunManifest.fileNameFor("tanks.geojson"));
    assertEquals("tanks.v2.run.json", RunManifest.fileNameFor("tanks.v2.json"));
    assertEquals("tanks.run.json", RunManifest.fileNameFor("tanks"));
    assertEquals(".hidden.run.json", RunManifest.fileNameFor(".hidden"));
  }
}
