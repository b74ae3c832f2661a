package org.diffris.cli;

import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What a run that ran out of Java heap tells its user: how much heap it had, the setting that
 * gives it more, and what makes the job smaller. The command's outputs are left unwritten (their
 * temporary files are removed as the error unwinds, or at exit).
 */
final class OutOfMemory {
  private OutOfMemory() {}

  static String message(CommandSpec spec) {
    double gib = Runtime.getRuntime().maxMemory() / (double) (1L << 30);
    long more = Math.max(2, (long) Math.ceil(2 * gib));
    String smaller =
        spec.name().equals("vectorize")
            ? "or make the regions simpler: a region joined only through corners is one"
                + " geometry of all its parts at --connectivity 8, separate regions at 4"
            : "or make the job smaller: a crop of the raster (gdal_translate -srcwin)";
    return String.format(
        Locale.ROOT,
        "out of memory: this run may use at most %.1f GiB of Java heap; give it more"
            + " (JAVA_OPTS=-Xmx%dg %s ...), %s",
        gib,
        more,
        spec.qualifiedName(),
        smaller);
  }
}
