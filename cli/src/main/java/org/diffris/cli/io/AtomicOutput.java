package org.diffris.cli.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An output file written under a temporary name in the same folder and moved into place only by
 * {@link #commit()}; {@link #close()} without a commit deletes the temporary file, so a failed run
 * leaves neither a partial file nor a changed old one.
 */
public final class AtomicOutput implements AutoCloseable {
  private final Path target;
  private final Path temporary;
  private final boolean overwrite;
  private boolean committed;

  public AtomicOutput(Path target, boolean overwrite) {
    this.target = target.toAbsolutePath();
    this.overwrite = overwrite;
    String name =
        "."
            + this.target.getFileName()
            + "."
            + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1)
            + ".partial";
    this.temporary = this.target.resolveSibling(name);
  }

  /** Where the writer writes; does not exist yet. */
  public Path temporary() {
    return temporary;
  }

  public void commit() throws IOException {
    if (Files.exists(target) && !overwrite) {
      throw new IOException("output appeared while writing, not replaced: " + target);
    }
    try {
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
    committed = true;
  }

  @Override
  public void close() throws IOException {
    if (!committed) {
      Files.deleteIfExists(temporary);
    }
  }
}
