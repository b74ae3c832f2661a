package org.diffris.cli.eval;

import java.nio.file.Path;
import java.util.List;
import org.diffris.cli.InputException;

/** The samples of one split of a dataset folder in one of the {@link DatasetLayout}s. */
public record EvalSplit(Path folder, DatasetLayout layout, List<EvalSample> samples) {

  /**
   * Reads split {@code split} of {@code folder}.
   *
   * @param layout the folder's layout, or {@code null} to detect it
   */
  public static EvalSplit read(Path folder, String split, DatasetLayout layout)
      throws InputException {
    DatasetLayout chosen = layout == null ? DatasetLayout.detect(folder) : layout;
    chosen.check(folder);
    List<EvalSample> samples =
        switch (chosen) {
          case REFSEGRS -> RefSegSplit.read(folder, split);
          case RRSISD -> RrsisdSplit.read(folder, split);
          case RISBENCH -> RisBenchSplit.read(folder, split);
        };
    if (samples.isEmpty()) {
      throw new InputException("split " + split + " of " + folder + " has no samples");
    }
    return new EvalSplit(folder, chosen, List.copyOf(samples));
  }
}
