package org.diffris.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code diffris} command: one subcommand per job. */
@Command(
    name = "diffris",
    mixinStandardHelpOptions = true,
    version = "diffris 0.1.0",
    description = "Referring segmentation of rasters into georeferenced polygons.",
    subcommands = {})
public final class DiffrisCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new DiffrisCommand()).execute(args));
  }
}
