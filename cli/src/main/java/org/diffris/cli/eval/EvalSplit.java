package org.diffris.cli.eval;

import java.nio.file.Path;
import java.util.List;
import org.diffris.cli.InputException;
import org.diffris.pipeline.QueryText;

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

  /**
   * {@code expression} when it is one; a blank one ({@link QueryText#blankness}: nothing but white
   * space and format characters) would be scored as an empty query, so it is an error.
   *
   * @param where the file and line or sample that holds it, for the message
   */
  static String expression(String expression, String where) throws InputException {
    String blank = QueryText.blankness(expression);
    if (blank != null) {
      throw new InputException(
          where
              + ": the expression "
              + blank
              + "; every sample needs a referring expression (diffris segment refuses a blank"
              + " query too): write it or remove the sample");
    }
    return expression;
  }
}
