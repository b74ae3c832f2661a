package org.diffris.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs appear whole or not at all; what a dead writer left is cleaned, a live one's is not. */
class AtomicOutputTest {
  @TempDir Path folder;

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void closeWithoutCommitLeavesNothing() throws Exception {
    Path target = folder.resolve("out.gpkg");
    try (AtomicOutput out = new AtomicOutput(target, false)) {
      Files.writeString(out.temporary(), "half");
      assertTrue(
          out.temporary()
              .getFileName()
              .toString()
              .matches("\\.out\\.gpkg\\.\\d+\\.[0-9a-f]+\\.partial"),
          out.temporary().toString());
    }
    assertEquals(List.of(), names());
  }

  @Test
  void commitMovesTheWholeFileAndACommitAfterCloseFails() throws Exception {
    Path target = folder.resolve("out.gpkg");
    AtomicOutput out = new AtomicOutput(target, false);
    Files.writeString(out.temporary(), "all");
    out.commit();
    out.close();
    assertEquals("all", Files.readString(target));
    assertEquals(List.of("out.gpkg"), names());

    AtomicOutput interrupted = new AtomicOutput(folder.resolve("b.gpkg"), false);
    Files.writeString(interrupted.temporary(), "half");
    interrupted.close(); // what the shutdown hook does on Ctrl-C
    assertThrows(IOException.class, interrupted::commit);
    assertEquals(List.of("out.gpkg"), names());
  }

  @Test
  void partialsOfDeadWritersGoLiveOnesStay() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    long dead = finished.pid();
    long alive = ProcessHandle.current().parent().orElseThrow().pid();
    Files.writeString(folder.resolve(".out.gpkg." + dead + ".1f.partial"), "killed");
    Files.writeString(folder.resolve(".out.gpkg." + alive + ".2e.partial"), "running");
    Files.writeString(folder.resolve(".out.gpkg.3d.partial"), "no pid: cannot tell");
    Files.writeString(folder.resolve(".other.gpkg." + dead + ".4c.partial"), "another output");
    new AtomicOutput(folder.resolve("out.gpkg"), false).close();
    List<String> left = names();
    assertFalse(left.contains(".out.gpkg." + dead + ".1f.partial"), left.toString());
    // Sorted as names() sorts, whatever the digits of the live pid.
    assertEquals(
        List.of(
                ".other.gpkg." + dead + ".4c.partial",
                ".out.gpkg." + alive + ".2e.partial",
                ".out.gpkg.3d.partial")
            .stream()
            .sorted()
            .toList(),
        left);
  }
}
