package org.diffris.cli.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  @Test
  void lineShowsTheShareOfTilesDone() {
    assertEquals(
        "[" + "#".repeat(15) + ".".repeat(15) + "] 20/40 tiles   1.5 s",
        ProgressBar.line(20, 40, 1.5));
    assertTrue(ProgressBar.line(40, 40, 0).startsWith("[" + "#".repeat(30) + "]"));
    assertTrue(ProgressBar.line(0, 0, 0).startsWith("[" + "#".repeat(30) + "]"));
  }

  @Test
  void silentWithoutATerminalRedrawnInPlaceWithOne() {
    StringWriter text = new StringWriter();
    ProgressBar quiet = ProgressBar.forTerminal(new PrintWriter(text), false);
    quiet.tilesDone(1, 2);
    quiet.tilesDone(2, 2);
    quiet.finish();
    assertEquals("", text.toString());

    ProgressBar bar = ProgressBar.forTerminal(new PrintWriter(text), true);
    bar.tilesDone(1, 2);
    bar.tilesDone(2, 2); // the last one is always drawn
    bar.finish();
    String out = text.toString();
    assertTrue(out.startsWith("\r["), out);
    assertTrue(out.contains("2/2 tiles"), out);
    assertTrue(out.endsWith(System.lineSeparator()), out);
  }

  @Test
  void linesModePrintsOneLinePerUpdateWithoutATerminal() {
    StringWriter text = new StringWriter();
    ProgressBar lines = ProgressBar.lines(new PrintWriter(text));
    lines.tilesDone(1, 3); // the first update is always printed
    lines.tilesDone(3, 3); // and so is the last
    lines.finish();
    String nl = System.lineSeparator();
    assertEquals("progress: 1/3 tiles" + nl + "progress: 3/3 tiles" + nl, text.toString());
  }
}
