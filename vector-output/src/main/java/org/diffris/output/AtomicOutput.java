package org.diffris.output;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An output file written under a temporary name in the same folder ({@code .NAME.<pid>.<hex>
 * .partial}) and moved into place only by {@link #commit()}, so a failed run leaves neither a
 * partial file nor a changed old one.
 *
 * <p>Guarantees: {@link #close()} without a commit deletes the temporary file; so does the JVM's
 * shutdown on Ctrl-C or SIGTERM, for every output not yet committed (a commit that comes after
 * that fails); a run killed outright (SIGKILL) leaves its temporary file, which the next output
 * to the same place deletes once it has proved its writer dead (no live process has the pid in
 * its name). Thread-safe.
 */
public final class AtomicOutput implements AutoCloseable {
  private static final long PID = ProcessHandle.current().pid();

  /** This JVM's outputs neither committed nor deleted: what a shutdown must clean up. */
  private static final Set<AtomicOutput> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> OPEN.forEach(AtomicOutput::abandon), "diffris-partial-cleanup"));
  }

  private final Path target;
  private final Path temporary;
  private final boolean overwrite;
  private boolean done; // committed or deleted; guarded by this

  /**
   * Starts an output to {@code target}: deletes what dead writers left, creates the temporary.
   *
   * @throws IOException when the temporary file cannot be created there
   */
  public AtomicOutput(Path target, boolean overwrite) throws IOException {
    this.target = target.toAbsolutePath();
    this.overwrite = overwrite;
    deleteDeadPartials(this.target);
    String random = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    this.temporary =
        this.target.resolveSibling(
            "." + this.target.getFileName() + "." + PID + "." + random + ".partial");
    try {
      // Created now, so an output that cannot be written fails before any work, not after it.
      Files.createFile(temporary);
    } catch (IOException e) {
      throw new IOException("cannot write " + this.target + ": " + reason(e), e);
    }
    OPEN.add(this);
  }

  /** Where the writer writes: an empty file made by the constructor. */
  public Path temporary() {
    return temporary;
  }

  /**
   * Moves the complete file into place.
   *
   * @throws IOException when it cannot be moved, when the target appeared meanwhile without
   *     overwriting allowed, or when the JVM is shutting down and has deleted the file
   */
  public synchronized void commit() throws IOException {
    if (done) {
      throw new IOException("interrupted: " + target + " was not written");
    }
    if (Files.exists(target) && !overwrite) {
      throw new IOException("output appeared while writing, not replaced: " + target);
    }
    try {
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
    done = true;
    OPEN.remove(this);
  }

  @Override
  public synchronized void close() throws IOException {
    if (!done) {
      done = true;
      OPEN.remove(this);
      Files.deleteIfExists(temporary);
    }
  }

  /** Why a file could not be created, in words. */
  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "its folder does not accept new files";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private void abandon() {
    try {
      close();
    } catch (IOException e) {
      // the JVM is going away: nothing else can be done about this file
    }
  }

  /**
   * Deletes the temporary files of earlier writers of {@code target} whose process is gone (a
   * SIGKILL, a power cut). A file whose pid is alive, or whose name carries no pid, is left.
   */
  static void deleteDeadPartials(Path target) throws IOException {
    Path folder = target.getParent();
    if (folder == null || !Files.isDirectory(folder)) {
      return;
    }
    Pattern partial =
        Pattern.compile(
            Pattern.quote("." + target.getFileName() + ".") + "(\\d{1,18})\\.[0-9a-f]+\\.partial");
    try (DirectoryStream<Path> siblings =
        Files.newDirectoryStream(folder, "." + target.getFileName() + ".*.partial")) {
      for (Path sibling : siblings) {
        Matcher m = partial.matcher(sibling.getFileName().toString());
        if (m.matches() && isDead(Long.parseLong(m.group(1)))) {
          Files.deleteIfExists(sibling);
        }
      }
    }
  }

  private static boolean isDead(long pid) {
    return pid != PID && ProcessHandle.of(pid).isEmpty();
  }
}
