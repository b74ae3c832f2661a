package org.diffris.cli;

import java.io.PrintWriter;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.diffris.runtime.onnx.NativeLibraryCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code diffris} command: one subcommand per job. */
@Command(
    name = "diffris",
    mixinStandardHelpOptions = true,
    version = "diffris 0.1.0",
    description = "Referring segmentation of rasters into georeferenced polygons.",
    subcommands = {
      SegmentCommand.class,
      VectorizeCommand.class,
      EvalCommand.class,
      InfoCommand.class
    })
public final class DiffrisCommand implements Runnable {

  /**
   * Library loggers quietened to errors: their warnings would break the one-line messages, and
   * the JDK's preferences say "Created user preferences directory" on a machine's first run.
   */
  private static final Logger[] LIBRARY_LOGGERS = {
    Logger.getLogger("org.geotools"),
    Logger.getLogger("it.geosolutions"),
    Logger.getLogger("java.util.prefs")
  };

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    NativeLibraryCache.install(); // before ONNX Runtime loads: no temporary folder left per run
    for (Logger logger : LIBRARY_LOGGERS) {
      logger.setLevel(Level.SEVERE);
    }
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns the exit status. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new DiffrisCommand());
    cli.setOut(out);
    cli.setErr(err);
    // Option errors are one line naming the problem, not a usage dump.
    cli.setParameterExceptionHandler(
        (e, ignored) -> {
          CommandLine command = e.getCommandLine();
          command
              .getErr()
              .println(
                  command.getCommandSpec().qualifiedName()
                      + ": "
                      + e.getMessage()
                      + " (see "
                      + command.getCommandSpec().qualifiedName()
                      + " --help)");
          command.getErr().flush();
          return 2;
        });
    // A bug, not a user error: one line by default, the stack trace with -Ddiffris.debug=true.
    cli.setExecutionExceptionHandler(
        (e, command, ignored) -> {
          String name = command.getCommandSpec().qualifiedName();
          command
              .getErr()
              .println(
                  name
                      + ": internal error: "
                      + e
                      + " (rerun with JAVA_OPTS=-Ddiffris.debug=true for details)");
          if (Boolean.getBoolean("diffris.debug")) {
            e.printStackTrace(command.getErr());
          }
          command.getErr().flush();
          return 3;
        });
    try {
      return cli.execute(args);
    } catch (OutOfMemoryError e) {
      // picocli hands only Exceptions to the handler above; the run's objects are unreachable by
      // now, so there is memory again to say what happened.
      CommandLine.ParseResult parsed = cli.getParseResult();
      CommandLine.Model.CommandSpec command =
          parsed != null && parsed.subcommand() != null
              ? parsed.subcommand().commandSpec()
              : cli.getCommandSpec();
      err.println(command.qualifiedName() + ": " + OutOfMemory.message(command));
      err.flush();
      return 1;
    }
  }
}
