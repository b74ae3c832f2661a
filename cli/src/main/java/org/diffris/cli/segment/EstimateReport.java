package org.diffris.cli.segment;

import java.io.PrintWriter;
import org.diffris.pipeline.RunEstimate;
import org.diffris.pipeline.Segmenter;

/** What {@code segment --dry-run} prints: the estimate for people, or as one JSON object. */
public final class EstimateReport {
  private EstimateReport() {}

  public static void print(PrintWriter out, RunEstimate estimate, Segmenter model, boolean json) {
    if (json) {
      out.println(estimate.toJson());
    } else {
      out.println("model: " + model.label() + " (" + model.location() + ")");
      out.println("execution provider: " + model.provider());
      out.println("estimate (dry run: nothing was segmented or written):");
      for (String line : estimate.lines()) {
        out.println("  " + line);
      }
    }
    out.flush();
  }
}
