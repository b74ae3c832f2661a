package org.diffris.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The one check of an input file, for every command: it exists, is a file and can be read. */
final class InputFiles {
  private InputFiles() {}

  /**
   * @param noun what the file is to the user ("raster", "mask"), for the message
   * @throws InputException saying which of the four it is not
   */
  static void requireReadable(Path file, String noun) throws InputException {
    if (!Files.exists(file)) {
      throw new InputException(noun + " not found: " + file);
    }
    if (Files.isDirectory(file)) {
      throw new InputException(noun + " is a folder, not a file: " + file);
    }
    if (!Files.isRegularFile(file)) {
      throw new InputException(noun + " is not a regular file (a device, pipe or socket): " + file);
    }
    if (!Files.isReadable(file)) {
      throw new InputException(noun + " cannot be read (permission denied): " + file);
    }
  }
}
