package org.diffris.cli.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.diffris.cli.InputException;
import org.diffris.pipeline.QueryText;

/**
 * The samples of one split of a folder in the RefSegRS layout: {@code images/<id>.tif},
 * {@code masks/<id>.tif}, {@code output_phrase_<split>.txt} ({@code <id> <expression>} a line) and
 * optionally {@code expressions_<split>.tsv} ({@code <id>\t<type>\t<expression>}), which, when
 * present, is read instead so that scores are broken down by type. Blank lines are skipped, as
 * {@code model/diffris/datasets/refsegrs.py} does; a malformed line, or a blank expression
 * ({@link EvalSplit#expression}), is an error naming file, line and sample.
 */
final class RefSegSplit {
  private RefSegSplit() {}

  static List<EvalSample> read(Path folder, String split) throws InputException {
    Path tsv = folder.resolve("expressions_" + split + ".tsv");
    Path phrases = folder.resolve("output_phrase_" + split + ".txt");
    List<EvalSample> samples = new ArrayList<>();
    try {
      if (Files.isRegularFile(tsv)) {
        List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
          String line = lines.get(n);
          if (QueryText.isBlank(line)) {
            continue;
          }
          String[] parts = line.split("\t", -1);
          if (parts.length != 3) {
            throw new InputException(
                tsv + ":" + (n + 1) + ": expected '<id><TAB><type><TAB><expression>'");
          }
          String where = tsv + ":" + (n + 1) + ": sample " + parts[0];
          samples.add(sample(folder, parts[0], parts[1], EvalSplit.expression(parts[2], where)));
        }
      } else if (Files.isRegularFile(phrases)) {
        List<String> lines = Files.readAllLines(phrases, StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
          String line = lines.get(n);
          if (QueryText.isBlank(line)) {
            continue;
          }
          int space = line.indexOf(' ');
          if (space < 0 || space == line.length() - 1) {
            throw new InputException(phrases + ":" + (n + 1) + ": expected '<id> <expression>'");
          }
          String id = line.substring(0, space);
          String where = phrases + ":" + (n + 1) + ": sample " + id;
          samples.add(
              sample(
                  folder, id, "unknown", EvalSplit.expression(line.substring(space + 1), where)));
        }
      } else {
        TreeSet<String> present =
            new TreeSet<>(DatasetLayout.splitNames(folder, "output_phrase_", ".txt"));
        present.addAll(DatasetLayout.splitNames(folder, "expressions_", ".tsv"));
        throw new InputException(
            folder
                + ": no split '"
                + split
                + "' (neither expressions_"
                + split
                + ".tsv nor output_phrase_"
                + split
                + ".txt); splits present: "
                + (present.isEmpty() ? "none" : String.join(", ", present)));
      }
    } catch (IOException e) {
      throw new InputException(
          "cannot read split " + split + " of " + folder + ": " + e.getMessage(), e);
    }
    return samples;
  }

  private static EvalSample sample(Path folder, String id, String type, String expression) {
    Path mask = folder.resolve("masks").resolve(id + ".tif");
    return new EvalSample(
        id,
        type,
        expression,
        folder.resolve("images").resolve(id + ".tif"),
        () -> EvalImages.mask(mask));
  }
}
