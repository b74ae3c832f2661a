package org.diffris.cli.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diffris.cli.DiffrisCommand;

/** Runs the {@code diffris} command line in-process and captures its exit status and streams. */
public final class Cli {
  public final int exitCode;
  public final String out;
  public final String err;

  private Cli(int exitCode, String out, String err) {
    this.exitCode = exitCode;
    this.out = out;
    this.err = err;
  }

  public static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = DiffrisCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Cli(code, out.toString(), err.toString());
  }

  /**
   * {@code diffris segment --raster RASTER --query QUERY --model BUNDLE --device cpu EXTRA...}:
   * the run every segment test starts from.
   */
  public static Cli segment(Path raster, String query, Path bundle, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "segment",
                "--raster",
                raster.toString(),
                "--query",
                query,
                "--model",
                bundle.toString(),
                "--device",
                "cpu"));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  /** Vectorizes a sample mask into {@code out} and checks that the command succeeded. */
  public static Cli vectorizeSample(String mask, java.nio.file.Path out) {
    Cli run = run("vectorize", "--mask", sampleMask(mask).toString(), "--out", out.toString());
    org.junit.jupiter.api.Assertions.assertEquals(0, run.exitCode, run.err);
    return run;
  }

  /** The key=value pairs of the last stdout line. */
  public Map<String, String> summary() {
    String[] lines = out.strip().split("\n");
    Map<String, String> values = new HashMap<>();
    for (String pair : lines[lines.length - 1].split(" ")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        values.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return values;
  }

  /** A sample mask shipped under sample-data/masks. */
  public static Path sampleMask(String name) {
    Path moduleDir = Path.of(System.getProperty("basedir", "."));
    Path root = moduleDir.resolve("..").normalize();
    return root.resolve("sample-data").resolve("masks").resolve(name);
  }
}
