package org.diffris.runtime;

import java.io.IOException;

/**
 * A file of a model bundle (model.json, vocab.json, merges.txt, ...) that is missing, unreadable or
 * wrong. The message always starts with the file name and then says where (line or field) and what
 * is accepted, so a user can fix the file without reading code.
 */
public class BundleFileException extends IOException {
  private final String file;

  public BundleFileException(String file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  public BundleFileException(String file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The bundle-relative name of the file at fault, for example {@code tokenizer/merges.txt}. */
  public String file() {
    return file;
  }
}
