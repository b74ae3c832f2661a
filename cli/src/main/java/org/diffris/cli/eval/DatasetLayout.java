package org.diffris.cli.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.diffris.cli.InputException;

/**
 * The published folder layouts {@code diffris eval} reads (the same as {@code
 * model/diffris/datasets}).
 */
public enum DatasetLayout {
  /** RefSegRS: images/, masks/, output_phrase_&lt;split&gt;.txt. */
  REFSEGRS("images/ and masks/ (with output_phrase_<split>.txt)"),
  /** RRSIS-D: rrsisd/refs(unc).p, rrsisd/instances.json, images/rrsisd/JPEGImages/. */
  RRSISD(
      "rrsisd/refs(unc).p and rrsisd/instances.json (or refs(unc).p and instances.json in the "
          + "folder itself), images in images/rrsisd/JPEGImages/"),
  /** RISBench: img_rgb/, mask/, output_phrase_&lt;split&gt;.txt. */
  RISBENCH("img_rgb/ and mask/ (with output_phrase_<split>.txt)");

  private final String expected;

  DatasetLayout(String expected) {
    this.expected = expected;
  }

  /** The name used on the command line: refsegrs, rrsisd, risbench. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The layout named {@code key}, or an error listing the known names. */
  public static DatasetLayout parse(String key) throws InputException {
    for (DatasetLayout layout : values()) {
      if (layout.key().equals(key)) {
        return layout;
      }
    }
    throw new InputException("unknown layout '" + key + "'; known: refsegrs, rrsisd, risbench");
  }

  /** The one layout whose files {@code folder} holds. */
  public static DatasetLayout detect(Path folder) throws InputException {
    requireFolder(folder);
    List<DatasetLayout> found = new ArrayList<>();
    for (DatasetLayout layout : values()) {
      if (layout.matches(folder)) {
        found.add(layout);
      }
    }
    if (found.size() == 1) {
      return found.get(0);
    }
    if (found.isEmpty()) {
      StringBuilder all = new StringBuilder();
      for (DatasetLayout layout : values()) {
        all.append(all.length() == 0 ? "" : "; ").append(layout.key()).append(": ");
        all.append(layout.expected);
      }
      throw new InputException(folder + ": no known dataset layout (" + all + ")");
    }
    throw new InputException(
        folder + ": matches several layouts " + found + "; choose one with --layout");
  }

  /** An error naming what is missing when {@code folder} is not in this layout. */
  public void check(Path folder) throws InputException {
    requireFolder(folder);
    if (!matches(folder)) {
      throw new InputException(
          folder + " is not in the " + key() + " layout: expected " + expected);
    }
  }

  /**
   * Whether {@code folder} holds this layout's folders or index files. For RefSegRS and RISBench
   * the folders decide; a missing split file is reported when the split is read, with the splits
   * that are present.
   */
  boolean matches(Path folder) {
    return switch (this) {
      case REFSEGRS ->
          Files.isDirectory(folder.resolve("images")) && Files.isDirectory(folder.resolve("masks"));
      case RRSISD -> RrsisdSplit.annotationFolder(folder) != null;
      case RISBENCH ->
          Files.isDirectory(folder.resolve("img_rgb")) && Files.isDirectory(folder.resolve("mask"));
    };
  }

  private static void requireFolder(Path folder) throws InputException {
    if (!Files.isDirectory(folder)) {
      throw new InputException("data folder not found: " + folder);
    }
  }

  /** The {@code <split>} parts of the files {@code prefix<split>suffix} in {@code folder}. */
  static List<String> splitNames(Path folder, String prefix, String suffix) {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      files.forEach(
          f -> {
            String name = f.getFileName().toString();
            if (name.startsWith(prefix)
                && name.endsWith(suffix)
                && name.length() > prefix.length() + suffix.length()) {
              names.add(name.substring(prefix.length(), name.length() - suffix.length()));
            }
          });
    } catch (IOException e) {
      return names;
    }
    names.sort(null);
    return names;
  }
}
