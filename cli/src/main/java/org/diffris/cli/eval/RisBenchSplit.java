package org.diffris.cli.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffris.cli.InputException;
import org.diffris.pipeline.QueryText;

/**
 * The samples of one split of a folder in the RISBench layout (Dong et al., CroBIM):
 * {@code img_rgb/<name>}, {@code mask/<name>} and {@code output_phrase_<split>.txt} with lines
 * {@code <name> <expression>}, the name with its extension. A name without one is also accepted:
 * {@code .png}, {@code .jpg}, {@code .tif} are tried in that order. The same rules as {@code
 * model/diffris/datasets/risbench.py}.
 */
final class RisBenchSplit {
  private static final String[] SUFFIXES = {".png", ".jpg", ".tif"};

  private RisBenchSplit() {}

  static List<EvalSample> read(Path folder, String split) throws InputException {
    Path phrases = folder.resolve("output_phrase_" + split + ".txt");
    if (!Files.isRegularFile(phrases)) {
      List<String> present = DatasetLayout.splitNames(folder, "output_phrase_", ".txt");
      throw new InputException(
          folder
              + ": no split '"
              + split
              + "' (no output_phrase_"
              + split
              + ".txt); splits present: "
              + (present.isEmpty() ? "none" : String.join(", ", present)));
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(phrases, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InputException("cannot read " + phrases + ": " + e.getMessage(), e);
    }
    List<EvalSample> samples = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      if (QueryText.isBlank(line)) {
        continue;
      }
      int space = line.indexOf(' ');
      if (space <= 0 || space == line.length() - 1) {
        throw new InputException(phrases + ":" + (n + 1) + ": expected '<name> <expression>'");
      }
      String name = line.substring(0, space);
      String expression =
          EvalSplit.expression(
              line.substring(space + 1), phrases + ":" + (n + 1) + ": sample " + name);
      Path image = resolve(folder.resolve("img_rgb"), name);
      Path mask = resolve(folder.resolve("mask"), name);
      int dot = name.lastIndexOf('.');
      String id = dot >= 0 ? name.substring(0, dot) : name;
      samples.add(new EvalSample(id, "unknown", expression, image, () -> EvalImages.mask(mask)));
    }
    return samples;
  }

  private static Path resolve(Path folder, String name) throws InputException {
    Path direct = folder.resolve(name);
    if (Files.isRegularFile(direct)) {
      return direct;
    }
    for (String suffix : SUFFIXES) {
      Path candidate = folder.resolve(name + suffix);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new InputException(
        "file not found: " + direct + " (also tried " + String.join(", ", SUFFIXES) + ")");
  }
}
