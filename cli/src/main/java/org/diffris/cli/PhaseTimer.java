package org.diffris.cli;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Prints how long each phase of a command took, on stderr, when the JVM runs with {@code
 * -Ddiffris.timing=true}; otherwise does nothing. The first line gives the time from JVM start
 * to the first phase mark, so the start-up cost shows too.
 */
final class PhaseTimer {
  private static final boolean ENABLED = Boolean.getBoolean("diffris.timing");
  private final PrintStream out = System.err;
  private long last = System.nanoTime();

  PhaseTimer() {
    if (ENABLED) {
      long sinceJvmStart =
          System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
      out.printf(Locale.ROOT, "timing: %-28s %6d ms%n", "jvm start to command", sinceJvmStart);
      last = System.nanoTime();
    }
  }

  /** Prints the time since the previous mark under {@code phase}. */
  void mark(String phase) {
    if (ENABLED) {
      long now = System.nanoTime();
      out.printf(Locale.ROOT, "timing: %-28s %6d ms%n", phase, (now - last) / 1_000_000);
      last = now;
    }
  }
}
