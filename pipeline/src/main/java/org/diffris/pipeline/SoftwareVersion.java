package org.diffris.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Which build of the software runs: {@code git describe --always --dirty} of the source tree it
 * was built from ({@code 148fe3e}, {@code v0.2-4-g148fe3e-dirty}) and the Maven project
 * version, stamped into the pipeline's jar by the build ({@code pipeline/pom.xml}). A build
 * from a tree without git says {@code unknown} for the first.
 *
 * @param describe {@code git describe} at build time, or {@code unknown}
 * @param commit the full commit id at build time, or {@code unknown}
 * @param projectVersion the Maven version ({@code 0.1.0-SNAPSHOT})
 */
public record SoftwareVersion(String describe, String commit, String projectVersion) {
  private static final String UNKNOWN = "unknown";
  private static final SoftwareVersion CURRENT = read();

  /** This build's version. */
  public static SoftwareVersion current() {
    return CURRENT;
  }

  private static SoftwareVersion read() {
    Properties p = new Properties();
    try (InputStream in = SoftwareVersion.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // a jar that cannot read its own resource: report the version as unknown
    }
    return new SoftwareVersion(
        filled(p.getProperty("git.describe")),
        filled(p.getProperty("git.commit")),
        filled(p.getProperty("project.version")));
  }

  /** A value the build filled in, or {@code unknown} for one it left as a placeholder. */
  private static String filled(String value) {
    return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value.strip();
  }
}
