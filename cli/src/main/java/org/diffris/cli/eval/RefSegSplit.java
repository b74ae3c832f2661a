package org.diffris.cli.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffris.cli.InputException;

/**
 * The samples of one split of a folder in the RefSegRS layout: {@code images/<id>.tif},
 * {@code masks/<id>.tif}, {@code output_phrase_<split>.txt} ({@code <id> <expression>} a line) and
 * optionally {@code expressions_<split>.tsv} ({@code <id>\t<type>\t<expression>}), which, when
 * present, is read instead so that scores are broken down by type. Blank lines are skipped, as
 * {@code model/diffris/training/data.py} does; a malformed line is an error naming file and line.
 */
public final class RefSegSplit {
  private final Path folder;
  private final List<RefSegSample> samples;

  private RefSegSplit(Path folder, List<RefSegSample> samples) {
    this.folder = folder;
    this.samples = samples;
  }

  public static RefSegSplit read(Path folder, String split) throws InputException {
    if (!Files.isDirectory(folder)) {
      throw new InputException("data folder not found: " + folder);
    }
    Path tsv = folder.resolve("expressions_" + split + ".tsv");
    Path phrases = folder.resolve("output_phrase_" + split + ".txt");
    List<RefSegSample> samples = new ArrayList<>();
    try {
      if (Files.isRegularFile(tsv)) {
        List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
          String line = lines.get(n);
          if (line.isBlank()) {
            continue;
          }
          String[] parts = line.split("\t", -1);
          if (parts.length != 3) {
            throw new InputException(
                tsv + ":" + (n + 1) + ": expected '<id><TAB><type><TAB><expression>'");
          }
          samples.add(new RefSegSample(parts[0], parts[1], parts[2]));
        }
      } else if (Files.isRegularFile(phrases)) {
        List<String> lines = Files.readAllLines(phrases, StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
          String line = lines.get(n);
          if (line.isBlank()) {
            continue;
          }
          int space = line.indexOf(' ');
          if (space < 0 || space == line.length() - 1) {
            throw new InputException(phrases + ":" + (n + 1) + ": expected '<id> <expression>'");
          }
          samples.add(
              new RefSegSample(line.substring(0, space), "unknown", line.substring(space + 1)));
        }
      } else {
        throw new InputException(
            folder
                + ": neither expressions_"
                + split
                + ".tsv nor output_phrase_"
                + split
                + ".txt exists (RefSegRS layout expected: "
                + "images/<id>.tif, masks/<id>.tif, output_phrase_<split>.txt)");
      }
    } catch (IOException e) {
      throw new InputException(
          "cannot read split " + split + " of " + folder + ": " + e.getMessage(), e);
    }
    if (samples.isEmpty()) {
      throw new InputException("split " + split + " of " + folder + " has no samples");
    }
    return new RefSegSplit(folder, samples);
  }

  public List<RefSegSample> samples() {
    return samples;
  }

  public Path image(RefSegSample sample) {
    return folder.resolve("images").resolve(sample.id() + ".tif");
  }

  public Path mask(RefSegSample sample) {
    return folder.resolve("masks").resolve(sample.id() + ".tif");
  }
}
