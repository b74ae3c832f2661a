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
import org.diffris.runtime.onnx.SessionSettings;

/**
 * One loaded model per executor JVM, shared by every task that runs there (a {@link Segmenter}
 * is thread-safe), loaded on the first task that needs it and closed when the JVM exits. Loading
 * a bundle costs seconds and its sessions hold the graphs in memory, so never one per task or
 * row.
 */
final class ExecutorModels {
  private static final Map<String, Segmenter> LOADED = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LOADED.values().forEach(Segmenter::close), "diffris-models-close"));
  }

  private ExecutorModels() {}

  /** The model of a job on this JVM, loaded once. */
  static Segmenter of(JobOptions job) {
    String key = job.model() + "|" + job.device();
    return LOADED.computeIfAbsent(key, k -> load(job));
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
