package org.diffris.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the model bundle of a run comes from: {@code --model}, else the {@code DIFFRIS_MODEL}
 * environment variable, else the embedded tiny bundle {@value #EMBEDDED} found by walking up from
 * the jar (or classes folder) and from the working folder. Only locates; {@code ModelBundle.open}
 * validates.
 */
public final class ModelLocation {
  /** The bundle shipped with the project, relative to the project root. */
  public static final String EMBEDDED = "sample-data/models/diffris-tiny";
  public static final String ENVIRONMENT_VARIABLE = "DIFFRIS_MODEL";

  private ModelLocation() {}

  /**
   * The bundle to open.
   *
   * @param option the {@code --model} value, or null
   * @throws InputException when no option or variable is given and no embedded bundle is found
   */
  public static Path resolve(Path option) throws InputException {
    if (option != null) {
      return option;
    }
    String variable = System.getenv(ENVIRONMENT_VARIABLE);
    if (variable != null && !variable.isBlank()) {
      return Path.of(variable);
    }
    List<Path> looked = new ArrayList<>();
    for (Path start : startingPoints()) {
      for (Path dir = start; dir != null; dir = dir.getParent()) {
        Path candidate = dir.resolve(EMBEDDED);
        looked.add(candidate);
        if (Files.isDirectory(candidate)) {
          return candidate;
        }
      }
    }
    throw new InputException("no model bundle given and the embedded " + EMBEDDED + " was not "
        + "found above " + startingPoints() + "; pass --model DIR or set " + ENVIRONMENT_VARIABLE);
  }

  /** Where the search for the embedded bundle starts: the code's location, then the working folder. */
  static Set<Path> startingPoints() {
    Set<Path> points = new LinkedHashSet<>();
    CodeSource source = ModelLocation.class.getProtectionDomain().getCodeSource();
    if (source != null && source.getLocation() != null) {
      try {
        points.add(Path.of(source.getLocation().toURI()).toAbsolutePath().getParent());
      } catch (URISyntaxException | IllegalArgumentException e) {
        // not a file location (a custom class loader): the working folder remains
      }
    }
    points.add(Path.of("").toAbsolutePath());
    return points;
  }
}
