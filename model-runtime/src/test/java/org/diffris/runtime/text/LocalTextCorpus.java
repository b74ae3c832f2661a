package org.diffris.runtime.text;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A large real text that every machine of the project has once {@code ./run-tests} has installed its
 * Debian packages: the Python source of Debian's Python standard library ({@code /usr/lib/python3.X},
 * package {@code libpython3.X-stdlib}) and of PyTorch, NumPy and SymPy ({@code
 * /usr/lib/python3/dist-packages/{torch,numpy,sympy}}: {@code python3-torch} and two of its
 * dependencies), about 50 MB of code, docstrings and comments in English, 1.4 million non-blank
 * lines with about 65,000 distinct CLIP words. That is the smallest of these sets that supports
 * CLIP's 48,894 merges (the standard library alone gives 28,212, with NumPy and PyTorch 48,788).
 *
 * <p>The system property {@code diffris.textCorpus} names other folders instead (separated by the
 * platform's path separator); every {@code .py} file under them is read, in path order.
 */
final class LocalTextCorpus {
  static final String PROPERTY = "diffris.textCorpus";
  private static final Path LIB = Path.of("/usr/lib");
  private static final String[] PACKAGES = {"torch", "numpy", "sympy"};

  private LocalTextCorpus() {}

  /** The corpus folders: the property's, else the default set (each must exist). */
  static List<Path> folders() {
    List<Path> folders = new ArrayList<>();
    String configured = System.getProperty(PROPERTY);
    if (configured != null && !configured.isBlank()) {
      for (String folder : configured.split(File.pathSeparator)) {
        folders.add(Path.of(folder));
      }
    } else {
      folders.add(standardLibrary());
      for (String name : PACKAGES) {
        folders.add(LIB.resolve("python3").resolve("dist-packages").resolve(name));
      }
    }
    for (Path folder : folders) {
      if (!Files.isDirectory(folder)) {
        throw new IllegalStateException(
            "no folder "
                + folder
                + " to learn a vocabulary from: ./run-tests installs it (Debian's python3-torch),"
                + " or set -D"
                + PROPERTY
                + "=FOLDER"
                + File.pathSeparator
                + "... to folders of .py files");
      }
    }
    return folders;
  }

  /** The newest {@code /usr/lib/python3.X} holding {@code os.py}. */
  private static Path standardLibrary() {
    try (Stream<Path> entries = Files.list(LIB)) {
      return entries
          .filter(p -> p.getFileName().toString().matches("python3\\.\\d+"))
          .filter(p -> Files.isRegularFile(p.resolve("os.py")))
          .max(Comparator.comparingInt(p -> minorVersion(p.getFileName().toString())))
          .orElse(LIB.resolve("python3.X"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int minorVersion(String name) {
    return Integer.parseInt(name.substring("python3.".length()));
  }

  /** The {@code .py} files under the folders, in path order. */
  static List<Path> files(List<Path> folders) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path folder : folders) {
      try (Stream<Path> walk = Files.walk(folder)) {
        files.addAll(
            walk.filter(p -> p.toString().endsWith(".py"))
                .filter(Files::isRegularFile)
                .sorted()
                .collect(Collectors.toList()));
      }
    }
    return files;
  }

  /** Every non-blank line of every file, malformed UTF-8 read as U+FFFD. */
  static List<String> lines(List<Path> folders) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Path file : files(folders)) {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE)
              .onUnmappableCharacter(CodingErrorAction.REPLACE)
              .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
              .toString();
      for (String line : text.split("\n")) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
    }
    return lines;
  }
}
