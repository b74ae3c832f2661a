package org.diffris.cli.segment;

import java.io.PrintWriter;
import java.util.Locale;
import org.diffris.runtime.tiling.ProgressListener;

/**
 * A one-line progress bar of tiles done, redrawn in place with a carriage return, for a terminal.
 * {@link #quiet()} is the same listener that prints nothing (stderr redirected to a file or
 * captured by a script). Redraws at most every 100 ms and on the last tile; {@link #finish()}
 * ends the line.
 */
public final class ProgressBar implements ProgressListener {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final long start = System.nanoTime();
  private long lastDraw;
  private boolean drawn;

  private ProgressBar(PrintWriter err) {
    this.err = err;
  }

  /** A bar on {@code err} when the process has a terminal, otherwise a silent listener. */
  public static ProgressBar forTerminal(PrintWriter err, boolean terminal) {
    return new ProgressBar(terminal ? err : null);
  }

  public static ProgressBar quiet() {
    return new ProgressBar(null);
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
    err.print("\r" + line(done, total, (now - start) / 1e9));
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
    if (err != null && drawn) {
      err.println();
      err.flush();
    }
  }
}
