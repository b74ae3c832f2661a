package org.diffris.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.diffris.pipeline.RunManifest;

/**
 * Where a command's run manifest goes and how its inputs are described: {@code OUT.run.json}
 * beside the output ({@link RunManifest#fileNameFor}), written under a temporary name like the
 * output and moved into place after it, so a manifest never stands without its output.
 */
final class RunManifestFile {
  private RunManifestFile() {}

  /** The manifest beside {@code out}: {@code tanks.gpkg -> tanks.run.json}. */
  static Path beside(Path out) {
    return out.resolveSibling(RunManifest.fileNameFor(out.getFileName().toString()));
  }

  /** An input file as the manifest records it: absolute path, size, modification time. */
  static RunManifest.Input input(String role, Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return new RunManifest.Input(
        role,
        file.toAbsolutePath().normalize().toString(),
        a.size(),
        a.lastModifiedTime().toInstant());
  }

  /** Writes the document to the manifest's temporary file. */
  static void write(Path temporary, RunManifest manifest) throws IOException {
    Files.writeString(temporary, manifest.json(), StandardCharsets.UTF_8);
  }
}
