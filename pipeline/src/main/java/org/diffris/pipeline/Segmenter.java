package org.diffris.pipeline;

import java.io.IOException;
import java.util.function.Consumer;
import org.diffris.runtime.DiffrisModel;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.ModelDescription;
import org.diffris.runtime.onnx.ProviderReport;
import org.diffris.runtime.onnx.SessionSettings;

/**
 * One loaded model serving segmentation jobs: the long-lived object of every host (one per
 * command-line run, one per model on a server, one per executor in a distributed job).
 * {@link #plan} checks a job and decides everything before the model runs; the plan's
 * {@link SegmentationPlan#run run} takes the job's progress and cancel callbacks.
 *
 * <p>Thread-safe: any number of jobs may plan and run at once; ONNX Runtime sessions are shared.
 * {@link #close} closes the model's sessions; the caller ensures no job is running then.
 */
public final class Segmenter implements AutoCloseable {
  private final DiffrisModel model;

  public Segmenter(DiffrisModel model) {
    this.model = model;
  }

  /**
   * Loads a bundle's graphs.
   *
   * @throws IOException when a graph cannot be loaded
   */
  public static Segmenter open(ModelBundle bundle, SessionSettings settings) throws IOException {
    return new Segmenter(DiffrisModel.open(bundle, settings));
  }

  public ModelDescription description() {
    return model.description();
  }

  /** Where the model runs (CPU, CUDA:0). */
  public ProviderReport provider() {
    return model.provider();
  }

  /** The model's name and version, as the outputs' {@code model} attribute carries it. */
  public String label() {
    return description().name() + " " + description().version();
  }

  /** The bundle's folder or zip, for reports. */
  public String location() {
    return String.valueOf(model.bundle().location());
  }

  DiffrisModel model() {
    return model;
  }

  /**
   * Checks a job against this model and the raster and decides everything before inference:
   * bands, value scaling (a whole-raster statistics pass when the raster is not 8-bit), the
   * resampling to the model's GSD, tiles, threshold and vectorizer settings.
   *
   * @throws InvalidInputException when the options do not fit the raster or the model
   * @throws IOException when the statistics pass cannot read the raster
   */
  public SegmentationPlan plan(RasterInput input, SegmentOptions options) throws IOException {
    return SegmentationPlan.of(this, input, options, 0, estimate -> {});
  }

  /**
   * As {@link #plan(RasterInput, SegmentOptions)}, telling {@code beforeReading} the job's
   * {@link RunEstimate} once every check that needs no pixel has passed and before any pixel is
   * read: a host may refuse the job there (by throwing, for example {@link
   * RunEstimate#checkWithin}) or only show it.
   */
  public SegmentationPlan plan(
      RasterInput input, SegmentOptions options, Consumer<RunEstimate> beforeReading)
      throws IOException {
    return SegmentationPlan.of(this, input, options, 0, beforeReading);
  }

  /**
   * As {@link #plan}, for a job that will run in cores of at most {@code windowSide} pixels
   * ({@link RasterWindows}, {@link SegmentationPlan#window}): the memory it checks is one
   * window's, not the whole raster's.
   */
  public SegmentationPlan planInWindows(RasterInput input, SegmentOptions options, int windowSide)
      throws IOException {
    if (windowSide < 1) {
      throw new IllegalArgumentException("a window's side is at least 1 pixel, got " + windowSide);
    }
    return SegmentationPlan.of(this, input, options, windowSide, estimate -> {});
  }

  @Override
  public void close() {
    model.close();
  }
}
