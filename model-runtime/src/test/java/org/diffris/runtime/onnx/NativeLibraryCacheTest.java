package org.diffris.runtime.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The private library folders of killed processes are deleted; a live process's stays. */
class NativeLibraryCacheTest {
  @TempDir Path tmp;

  @Test
  void foldersOfProcessesThatAreGoneAreDeleted() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path dead = Files.createDirectories(tmp.resolve("diffris-onnxruntime-" + gone.pid() + "-42"));
    Files.writeString(dead.resolve("libonnxruntime.so"), "x");
    String live = "diffris-onnxruntime-" + ProcessHandle.current().pid() + "-7";
    Files.createDirectories(tmp.resolve(live));
    Files.createDirectories(tmp.resolve("onnxruntime-java123"));

    NativeLibraryCache.deleteFoldersOfDeadProcesses(tmp);

    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(
          List.of(live, "onnxruntime-java123"),
          left.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }
}
