package org.diffris.cli;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.diffris.pipeline.EmbeddedModel;
import org.diffris.pipeline.InvalidInputException;

/**
 * Where the model bundle of a run comes from: {@code --model}, else the {@code DIFFRIS_MODEL}
 * environment variable, else the embedded tiny bundle ({@link EmbeddedModel}) searched from the
 * jar's folder and from the working folder. Only locates; {@code ModelBundle.open} validates.
 */
public final class ModelLocation {
  public static final String EMBEDDED = EmbeddedModel.SOURCE_TREE;
  public static final String ENVIRONMENT_VARIABLE = EmbeddedModel.ENVIRONMENT_VARIABLE;

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
    try {
      return EmbeddedModel.find(List.copyOf(startingPoints()));
    } catch (InvalidInputException e) {
      throw new InputException(
          "no model bundle given and "
              + e.getMessage()
              + "; pass --model "
              + "DIR or set "
              + ENVIRONMENT_VARIABLE);
    }
  }

  /** Where the search starts: the code's location, then the working folder. */
  static Set<Path> startingPoints() {
    Set<Path> points = new LinkedHashSet<>();
    EmbeddedModel.codeFolder(ModelLocation.class).ifPresent(points::add);
    points.add(Path.of("").toAbsolutePath());
    return points;
  }
}
