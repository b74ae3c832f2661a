package org.diffris.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.diffris.pipeline.EmbeddedModel;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.Segmenter;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.NativeLibraryCache;
import org.diffris.runtime.onnx.SessionSettings;

/**
 * One loaded model per executor JVM, shared by every task that runs there (a {@link Segmenter}
 * is thread-safe), loaded on the first task that needs it and closed when the JVM exits. Loading
 * a bundle costs seconds and its sessions hold the graphs in memory, so never one per task or
 * row.
 *
 * <p>A task holds the model through a {@link Lease} for as long as it may run it. When the JVM
 * stops (Ctrl-C, SIGTERM, the executor's end) no new lease is given, running tasks see
 * {@link #stopping} at their next tile, and the sessions are closed only once every lease is back:
 * closing a session while a task runs it crashes the JVM inside ONNX Runtime. A task still
 * holding its lease after {@link #CLOSE_WAIT_MS} leaves the sessions open for the process's end
 * to reclaim.
 */
final class ExecutorModels {
  static final long CLOSE_WAIT_MS = 60_000;
  private static final Map<String, Segmenter> LOADED = new ConcurrentHashMap<>();
  private static final Object LEASES = new Object();
  private static int held; // guarded by LEASES
  private static boolean stopping; // guarded by LEASES

  static {
    // Before ONNX Runtime loads: its libraries from the per-user cache, nothing left in /tmp.
    NativeLibraryCache.install();
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ExecutorModels::closeWhenReturned, "diffris-models-close"));
  }

  private ExecutorModels() {}

  /** A task's hold on the model of its job; give it back by closing it. */
  static final class Lease implements AutoCloseable {
    private final Segmenter model;
    private boolean returned;

    private Lease(Segmenter model) {
      this.model = model;
    }

    Segmenter model() {
      return model;
    }

    @Override
    public void close() {
      if (!returned) {
        returned = true;
        giveBack();
      }
    }
  }

  /**
   * The model of a job on this JVM, loaded once, held until the lease is closed.
   *
   * @throws IllegalStateException when the JVM is stopping
   */
  static Lease lease(JobOptions job) {
    synchronized (LEASES) {
      if (stopping) {
        throw new IllegalStateException("stopped: this executor is shutting down");
      }
      held++;
    }
    try {
      String key = job.model() + "|" + job.device();
      return new Lease(LOADED.computeIfAbsent(key, k -> load(job)));
    } catch (RuntimeException | Error e) {
      giveBack();
      throw e;
    }
  }

  /** Whether the JVM is stopping: a task's cancel check, asked between tiles. */
  static boolean stopping() {
    synchronized (LEASES) {
      return stopping;
    }
  }

  private static void giveBack() {
    synchronized (LEASES) {
      held--;
      LEASES.notifyAll();
    }
  }

  /** The shutdown hook: no new leases, wait until every lease is back, then close. */
  private static void closeWhenReturned() {
    synchronized (LEASES) {
      stopping = true;
      long end = System.nanoTime() + CLOSE_WAIT_MS * 1_000_000;
      try {
        for (long left = CLOSE_WAIT_MS; held > 0 && left > 0; ) {
          LEASES.wait(left);
          left = (end - System.nanoTime()) / 1_000_000;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (held > 0) {
        return; // a task still runs a session: closing it would crash the JVM
      }
    }
    LOADED.values().forEach(Segmenter::close);
  }

  private static Segmenter load(JobOptions job) {
    Path bundle = bundleLocation(job.model());
    // Tasks share the session and run at once, each on its own thread: one operator thread per
    // task's cores keeps the executor's cores busy without oversubscribing them.
    int taskCores = SparkEnv.get() == null ? 1 : SparkEnv.get().conf().getInt("spark.task.cpus", 1);
    try {
      return Segmenter.open(
          ModelBundle.open(bundle),
          SessionSettings.of(ExecutionProvider.parse(job.device())).withThreads(taskCores, 1));
    } catch (IOException e) {
      throw new UncheckedIOException("the model bundle " + bundle + " cannot be loaded", e);
    }
  }

  /**
   * Where the bundle is on this machine: the path given, else a file of that name shipped with
   * {@code --files} (SparkFiles), else, without a name, the embedded bundle beside the job's jar
   * or in a source checkout.
   */
  static Path bundleLocation(String model) {
    if (model == null) {
      List<Path> starts = new java.util.ArrayList<>();
      EmbeddedModel.codeFolder(ExecutorModels.class).ifPresent(starts::add);
      starts.add(Path.of("").toAbsolutePath());
      return EmbeddedModel.find(starts);
    }
    Path given = Path.of(model.startsWith("file:") ? java.net.URI.create(model).getPath() : model);
    if (Files.exists(given)) {
      return given;
    }
    Path shipped = Path.of(SparkFiles.get(given.getFileName().toString()));
    if (Files.exists(shipped)) {
      return shipped;
    }
    throw new InvalidInputException(
        "the model bundle "
            + model
            + " is neither a path on this executor nor a file shipped with --files");
  }
}
