package org.diffris.pipeline;

import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the bundled tiny model is, for every host: next to the code ({@value #NAME}/ or
 * {@value #NAME}.zip beside the jar, as the GeoServer plugin installs it) or, in a source
 * checkout, at {@value #SOURCE_TREE} in a folder above a starting point. Only locates;
 * {@code ModelBundle.open} validates.
 */
public final class EmbeddedModel {
  /** The bundle's folder name (or zip name, with .zip) next to the code. */
  public static final String NAME = "diffris-tiny";

  /** Where the bundle lives in a source checkout. */
  public static final String SOURCE_TREE = "sample-data/models/diffris-tiny";

  /** The environment variable every host reads for a bundle of the user's. */
  public static final String ENVIRONMENT_VARIABLE = "DIFFRIS_MODEL";

  private final List<Path> looked = new ArrayList<>();

  private EmbeddedModel() {}

  /**
   * The first bundle found from {@code startingPoints}, in order: beside each, then above it.
   *
   * @throws InvalidInputException naming every place looked at when none is found
   */
  public static Path find(List<Path> startingPoints) {
    EmbeddedModel search = new EmbeddedModel();
    for (Path start : startingPoints) {
      Optional<Path> found = search.from(start);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new InvalidInputException(
        "the embedded model bundle was not found (looked at " + search.looked + ")");
  }

  private Optional<Path> from(Path start) {
    for (Path candidate : List.of(start.resolve(NAME), start.resolve(NAME + ".zip"))) {
      looked.add(candidate);
      if (Files.exists(candidate)) {
        return Optional.of(candidate);
      }
    }
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(SOURCE_TREE);
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    looked.add(start.resolve("../**/" + SOURCE_TREE).normalize());
    return Optional.empty();
  }

  /** The folder holding {@code anchor}'s jar (or classes folder), if it is a file location. */
  public static Optional<Path> codeFolder(Class<?> anchor) {
    CodeSource source = anchor.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath().getParent());
    } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
      return Optional.empty(); // not a file location (a custom class loader)
    }
  }
}
