package org.diffris.cli.segment;

import java.io.PrintWriter;
import java.util.Locale;
import org.diffris.runtime.tiling.ProgressListener;

/**
 * A one-line progress bar of tiles done, redrawn in place with a carriage return, for a terminal.
 * {@link #quiet()} is the same listener that prints nothing (stderr redirected to a file or
 * captured by a script); {@link #lines} prints one {@code progress: DONE/TOTAL tiles} line per
 * update instead, for a program that runs the command and shows its progress (the QGIS plugin).
 * Redraws at most every 100 ms and on the last tile; {@link #finish()} ends the line.
 */
public final class ProgressBar implements ProgressListener {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean asLines;
  private final long start = System.nanoTime();
  private long lastDraw;
  private boolean drawn;

  private ProgressBar(PrintWriter err, boolean asLines) {
    this.err = err;
    this.asLines = asLines;
  }

  /** A bar on {@code err} when the process has a terminal, otherwise a silent listener. */
  public static ProgressBar forTerminal(PrintWriter err, boolean terminal) {
    return new ProgressBar(terminal ? err : null, false);
  }

  /** One {@code progress: DONE/TOTAL tiles} line on {@code err} per update, terminal or not. */
  public static ProgressBar lines(PrintWriter err) {
    return new ProgressBar(err, true);
  }

  public static ProgressBar quiet() {
    return new ProgressBar(null, false);
  }

  @Override
  public synchronized void tilesDone(int done, int total) {
    if (err == null) {
      return;
    }
    long now = System.nanoTime();
    if (done < total && drawn && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    drawn = true;
    if (asLines) {
      err.println("progress: " + done + "/" + total + " tiles");
    } else {
      err.print("\r" + line(done, total, (now - start) / 1e9));
    }
    err.flush();
  }

  /** The bar's text, e.g. {@code "[#########.....] 12/40 tiles  3.1 s"}. */
  static String line(int done, int total, double seconds) {
    int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
    return "["
        + "#".repeat(filled)
        + ".".repeat(WIDTH - filled)
        + "] "
        + String.format(Locale.ROOT, "%d/%d tiles %5.1f s", done, total, seconds);
  }

  /** Ends the bar's line, so that later messages start on a fresh one. */
  public synchronized void finish() {
    if (err != null && drawn && !asLines) {
      err.println();
      err.flush();
    }
  }
}
