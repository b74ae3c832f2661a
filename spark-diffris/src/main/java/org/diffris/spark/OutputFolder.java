package org.diffris.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Parquet folder the job writes ({@code --out}, {@code --failures}), on any Hadoop file system:
 * written under a temporary name beside it ({@code .NAME.<pid>.<hex>.partial}) and moved into
 * place by {@link #commit} once every output of the job is complete, so a failed or stopped job
 * leaves nothing, and an old output stays until the new one is whole.
 *
 * <p>The job marks its folders with a file {@value #MARKER} (Parquet readers skip names starting
 * with {@code _}); the answers' folder also holds the run manifest, {@value #MANIFEST}, written
 * into the temporary folder with the rest, so it appears with the answers and never alone. {@code --overwrite} replaces only a folder that is recognisably a previous
 * output of this job: the marker and nothing but the files Spark writes into a Parquet folder.
 * Anything else (a model bundle, a folder of rasters or notes) is refused before any work: Spark
 * would delete it whole.
 */
final class OutputFolder implements AutoCloseable {
  static final String MARKER = "_diffris-spark";

  /** The run manifest's name in the answers' folder ({@link JobManifest}). */
  static final String MANIFEST = "_diffris-run.json";

  /** Names Spark and Hadoop write into a Parquet folder, with their checksum files. */
  private static final Pattern JOB_FILE =
      Pattern.compile(
          "\\.?(_SUCCESS|" + MARKER + "|" + Pattern.quote(MANIFEST) + "|part-[^/]+)(\\.crc)?");

  private static final Pattern LEFT_BY_A_RUN =
      Pattern.compile("\\.(.+)\\.(\\d{1,18})\\.[0-9a-f]+\\.(partial|old)");

  private final String option;
  private final String kind;
  private final Path target;
  private final Path temporary;
  private final FileSystem fs;
  private final boolean overwrite;
  private boolean done;

  /**
   * Checks the place and picks the temporary name; creates nothing yet (Spark creates the folder
   * when it writes).
   *
   * @param option the option that named it, for messages
   * @param kind what the folder holds ({@code answers}, {@code failures}), written in the marker
   * @throws IllegalArgumentException when it exists and may not be replaced
   */
  OutputFolder(String option, String kind, String folder, boolean overwrite, Configuration conf)
      throws IOException {
    this.option = option;
    this.kind = kind;
    this.overwrite = overwrite;
    Path given = new Path(folder);
    this.fs = given.getFileSystem(conf);
    this.target = fs.makeQualified(given);
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new IllegalArgumentException(
            option + " " + folder + " exists; give --overwrite to replace it");
      }
      requireReplaceable(folder);
    }
    deleteWhatDeadRunsLeft();
    String random = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    this.temporary =
        new Path(
            target.getParent(),
            "."
                + target.getName()
                + "."
                + ProcessHandle.current().pid()
                + "."
                + random
                + ".partial");
  }

  /** Where Spark writes (a folder that does not exist yet). */
  String temporary() {
    return temporary.toString();
  }

  /** Marks the written temporary folder as this job's output. */
  void mark() throws IOException {
    try (FSDataOutputStream out = fs.create(new Path(temporary, MARKER), false)) {
      out.write(("diffris-spark " + kind + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** Writes a file of the job's into the written temporary folder (the run manifest). */
  void write(String name, String text) throws IOException {
    try (FSDataOutputStream out = fs.create(new Path(temporary, name), false)) {
      out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** Moves the complete folder into place, replacing the old one (checked at the start). */
  void commit() throws IOException {
    Path old = null;
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new IOException(option + " " + target + " appeared while the job ran; not replaced");
      }
      old =
          new Path(temporary.getParent(), temporary.getName().replaceFirst("\\.partial$", ".old"));
      rename(target, old);
    }
    rename(temporary, target);
    done = true;
    if (old != null) {
      fs.delete(old, true);
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("cannot move " + from + " to " + to);
    }
  }

  /** Deletes the temporary folder unless committed. */
  @Override
  public void close() throws IOException {
    if (!done) {
      done = true;
      fs.delete(temporary, true);
    }
  }

  private void requireReplaceable(String folder) throws IOException {
    FileStatus status = fs.getFileStatus(target);
    if (!status.isDirectory()) {
      throw new IllegalArgumentException(
          option + " " + folder + " is a file, not an output folder of this job; not replaced");
    }
    List<String> foreign = new ArrayList<>();
    boolean marked = false;
    for (FileStatus child : fs.listStatus(target)) {
      String name = child.getPath().getName();
      marked |= name.equals(MARKER);
      if (!child.isFile() || !JOB_FILE.matcher(name).matches()) {
        foreign.add(name + (child.isDirectory() ? "/" : ""));
      }
    }
    if (!marked || !foreign.isEmpty()) {
      throw new IllegalArgumentException(
          option
              + " "
              + folder
              + " is not an output of this job"
              + (foreign.isEmpty()
                  ? " (no " + MARKER + " file in it)"
                  : " (it holds "
                      + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                      + (foreign.size() > 3 ? " and " + (foreign.size() - 3) + " more" : "")
                      + ")")
              + "; --overwrite replaces only a folder this job wrote: give a new folder, or delete"
              + " this one yourself");
    }
  }

  /**
   * Deletes the temporary and old folders that runs killed outright (SIGKILL) left beside the
   * target, once their process is gone; on this machine's file system only, where a process id
   * means something.
   */
  private void deleteWhatDeadRunsLeft() throws IOException {
    if (!(fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem)
        || !fs.exists(target.getParent())) {
      return;
    }
    for (FileStatus sibling : fs.listStatus(target.getParent())) {
      Matcher m = LEFT_BY_A_RUN.matcher(sibling.getPath().getName());
      if (m.matches()
          && m.group(1).equals(target.getName())
          && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
        fs.delete(sibling.getPath(), true);
      }
    }
  }
}
