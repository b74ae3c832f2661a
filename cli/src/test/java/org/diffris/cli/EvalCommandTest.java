package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Scenes;
import org.diffris.cli.testing.TestBundle;
import org.diffris.cli.testing.TestRasters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diffris eval} on hand-made RefSegRS folders with the analytic bundle, whose prediction
 * is exactly the red pixels of an image, so each sample's IoU is known in advance.
 */
class EvalCommandTest {
  @TempDir static Path shared;
  static Path bundle;

  @BeforeAll
  static void fixtures() throws Exception {
    bundle = TestBundle.write(shared.resolve("bundle"), 64);
  }

  /** An image of {@code size} px with a red square [x, x+side) x [y, y+side), ground elsewhere. */
  static void image(Path file, int size, int x, int y, int side) throws Exception {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    g.setColor(Scenes.GROUND);
    g.fillRect(0, 0, size, size);
    g.setColor(Scenes.RED);
    g.fillRect(x, y, side, side);
    g.dispose();
    TestRasters.write(file, image);
  }

  /** A mask of {@code size} px, 255 in [x, x+w) x [y, y+h). */
  static void mask(Path file, int size, int x, int y, int w, int h) throws Exception {
    byte[] values = new byte[size * size];
    for (int r = y; r < y + h; r++) {
      for (int c = x; c < x + w; c++) {
        values[r * size + c] = (byte) 255;
      }
    }
    TestRasters.byteMask(file, size, size, values);
  }

  static Path folder(String name) throws Exception {
    Path dir = shared.resolve(name);
    Files.createDirectories(dir.resolve("images"));
    Files.createDirectories(dir.resolve("masks"));
    return dir;
  }

  @Test
  void knownIousGiveKnownScores() throws Exception {
    Path dir = folder("known");
    // a: prediction = truth (16 x 16 square): IoU 1
    image(dir.resolve("images/a.tif"), 64, 8, 8, 16);
    mask(dir.resolve("masks/a.tif"), 64, 8, 8, 16, 16);
    // b: truth is the left half of the predicted square: I = 128, U = 256, IoU 0.5
    image(dir.resolve("images/b.tif"), 64, 8, 8, 16);
    mask(dir.resolve("masks/b.tif"), 64, 8, 8, 8, 16);
    // c: nothing red, empty truth: IoU 1 by convention
    image(dir.resolve("images/c.tif"), 64, 0, 0, 0);
    mask(dir.resolve("masks/c.tif"), 64, 0, 0, 0, 0);
    // d: nothing red, truth 10 x 10: IoU 0
    image(dir.resolve("images/d.tif"), 64, 0, 0, 0);
    mask(dir.resolve("masks/d.tif"), 64, 30, 30, 10, 10);
    Files.writeString(
        dir.resolve("output_phrase_test.txt"),
        "a red square\nb red square\n\nc nothing\nd the grey one\n");
    Cli run =
        Cli.run(
            "eval",
            "--data",
            dir.toString(),
            "--split",
            "test",
            "--model",
            bundle.toString(),
            "--device",
            "cpu");
    assertEquals(0, run.exitCode, run.err);
    Map<String, String> s = run.summary();
    assertEquals("4", s.get("samples"));
    assertEquals("0.6250", s.get("mIoU"));
    // I = 256 + 128 + 0 + 0, U = 256 + 256 + 0 + 100
    assertEquals(String.format(java.util.Locale.ROOT, "%.4f", 384.0 / 612), s.get("oIoU"));
    assertEquals("0.7500", s.get("Pr@0.5"));
    assertEquals("0.5000", s.get("Pr@0.6"));
    assertEquals("0.5000", s.get("Pr@0.9"));
    assertEquals("CPU", s.get("provider"));
    assertTrue(s.containsKey("model_ms") && s.containsKey("total_ms"));
  }

  @Test
  void typesFromTheTsvAndImagesResizedToTheModel() throws Exception {
    Path dir = folder("typed");
    // 128 px images: area-averaged to the model's 64 (a square on even pixels stays exact),
    // logits brought back to 128 bilinearly: along the edges the sign flips exactly at the
    // square's border, but each corner pixel gets 9/16 of the inside logit (1.26) and 7/16 of
    // the outside one (-2.34), which is negative: 4 corner pixels are lost
    image(dir.resolve("images/a.tif"), 128, 16, 16, 32);
    mask(dir.resolve("masks/a.tif"), 128, 16, 16, 32, 32);
    image(dir.resolve("images/b.tif"), 128, 16, 16, 32);
    mask(dir.resolve("masks/b.tif"), 128, 16, 16, 16, 32);
    Files.writeString(
        dir.resolve("expressions_val.tsv"),
        "a\tcategory\tthe red square\nb\tposition\tthe left part\n");
    Files.writeString(dir.resolve("output_phrase_val.txt"), "a ignored\nb ignored\n");
    Cli run =
        Cli.run(
            "eval",
            "--data",
            dir.toString(),
            "--split",
            "val",
            "--model",
            bundle.toString(),
            "--device",
            "cpu");
    assertEquals(0, run.exitCode, run.err);
    double a = 1020.0 / 1024; // I = 1024 - 4, U = 1024
    double b = 510.0 / 1022; // two lost corners lie in the truth: I = 510, U = 1020 + 2
    Map<String, String> s = run.summary();
    assertEquals(String.format(java.util.Locale.ROOT, "%.4f", (a + b) / 2), s.get("mIoU"));
    assertEquals("0.5000", s.get("Pr@0.5")); // b's 0.499 fails 0.5
    assertTrue(run.out.lines().anyMatch(l -> l.matches("category\\s+1\\s+99\\.61\\s.*")), run.out);
    assertTrue(run.out.lines().anyMatch(l -> l.matches("position\\s+1\\s+49\\.90\\s.*")), run.out);
  }

  @Test
  void badFolders() throws Exception {
    Cli none =
        Cli.run(
            "eval",
            "--data",
            shared.resolve("nowhere").toString(),
            "--split",
            "test",
            "--model",
            bundle.toString());
    assertEquals(1, none.exitCode);
    assertTrue(none.err.contains("data folder not found"), none.err);

    Path empty = folder("empty");
    Cli noSplit =
        Cli.run(
            "eval", "--data", empty.toString(), "--split", "test", "--model", bundle.toString());
    assertEquals(1, noSplit.exitCode);
    assertTrue(noSplit.err.contains("output_phrase_test.txt"), noSplit.err);

    Path malformed = folder("malformed");
    Files.writeString(malformed.resolve("output_phrase_test.txt"), "a red\nlonely\n");
    Cli bad =
        Cli.run(
            "eval",
            "--data",
            malformed.toString(),
            "--split",
            "test",
            "--model",
            bundle.toString());
    assertEquals(1, bad.exitCode);
    assertTrue(bad.err.contains("output_phrase_test.txt:2"), bad.err);

    Path missing = folder("missing");
    Files.writeString(missing.resolve("output_phrase_test.txt"), "a red\n");
    Cli noImage =
        Cli.run(
            "eval",
            "--data",
            missing.toString(),
            "--split",
            "test",
            "--model",
            bundle.toString(),
            "--device",
            "cpu");
    assertEquals(1, noImage.exitCode);
    assertTrue(noImage.err.contains("a.tif"), noImage.err);
    assertEquals(1, noImage.err.strip().lines().count(), noImage.err);

    Cli badSplit = Cli.run("eval", "--data", missing.toString(), "--split", "../x");
    assertEquals(2, badSplit.exitCode);
  }

  /**
   * A blank expression (nothing but white space and format characters, the rule of a query) is an
   * error naming file, line and sample, as segment refuses a blank query; it is never scored as an
   * empty query. Lines with nothing visible are blank lines and skipped.
   */
  @Test
  void aBlankExpressionIsRefusedNamingItsLine() throws Exception {
    Path data = folder("blank");
    image(data.resolve("images/a.tif"), 64, 8, 8, 16);
    mask(data.resolve("masks/a.tif"), 64, 8, 8, 16, 16);
    image(data.resolve("images/b.tif"), 64, 8, 8, 16);
    mask(data.resolve("masks/b.tif"), 64, 8, 8, 16, 16);
    for (String blank : new String[] {"\u00a0\u00a0", "\u200b", " \ufeff", "\u2007\u202f"}) {
      Files.writeString(
          data.resolve("output_phrase_test.txt"),
          "a red square\n\u00a0\u200b\n\nb " + blank + "\n",
          StandardCharsets.UTF_8);
      Cli run = eval(data, "test");
      assertEquals(1, run.exitCode, run.out + run.err);
      assertTrue(
          run.err.contains(
              "output_phrase_test.txt:4: sample b: the expression holds no visible character (only"
                  + " U+"),
          run.err);
      assertTrue(run.err.contains("every sample needs a referring expression"), run.err);
      assertTrue(!run.out.contains("samples="), "scored: " + run.out);
    }
    // the .tsv layout: an empty third column, and the type column's file named
    Files.writeString(
        data.resolve("expressions_test.tsv"),
        "a\tcolour\tthe red square\nb\tcolour\t\n",
        StandardCharsets.UTF_8);
    Cli tsv = eval(data, "test");
    assertEquals(1, tsv.exitCode, tsv.out + tsv.err);
    assertTrue(
        tsv.err.contains("expressions_test.tsv:2: sample b: the expression is empty"), tsv.err);
    Files.delete(data.resolve("expressions_test.tsv"));

    // the same file with b's expression written scores both, the blank-looking line skipped
    Files.writeString(
        data.resolve("output_phrase_test.txt"),
        "a red square\n\u00a0\u200b\n\nb red square\u200b\n",
        StandardCharsets.UTF_8);
    Cli fine = eval(data, "test");
    assertEquals(0, fine.exitCode, fine.err);
    assertEquals("2", fine.summary().get("samples"));
  }

  private static Cli eval(Path data, String split) {
    return Cli.run(
        "eval",
        "--data",
        data.toString(),
        "--split",
        split,
        "--model",
        bundle.toString(),
        "--device",
        "cpu");
  }
}
