package org.diffris.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** How every subcommand reports a problem or a warning: one line on stderr, named after the command. */
final class CommandFailures {
  private CommandFailures() {}

  /** An invalid option: picocli prints it with the usage hint and exits with status 2. */
  static ParameterException usage(CommandSpec command, String message) {
    return new ParameterException(command.commandLine(), message);
  }

  /** A file or device problem: "diffris NAME: message" on stderr; returns exit status 1. */
  static int fail(CommandSpec command, String message) {
    PrintWriter err = command.commandLine().getErr();
    err.println("diffris " + command.name() + ": " + message);
    err.flush();
    return 1;
  }

  /** Something the user should know that does not stop the command: one line on stderr. */
  static void warn(CommandSpec command, String message) {
    PrintWriter err = command.commandLine().getErr();
    err.println("diffris " + command.name() + ": warning: " + message);
    err.flush();
  }
}
