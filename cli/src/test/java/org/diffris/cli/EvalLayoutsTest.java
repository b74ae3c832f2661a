package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Scenes;
import org.diffris.cli.testing.TestBundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diffris eval} on hand-made RRSIS-D and RISBench folders with the analytic bundle (its
 * prediction is exactly the red pixels of an image), so each sample's IoU is known in advance. The
 * RRSIS-D index is a protocol 0 pickle written by {@link #pickle} below; the segmentations are a
 * polygon, an uncompressed RLE and a compressed RLE string whose characters are worked out by hand.
 */
class EvalLayoutsTest {
  @TempDir static Path shared;
  static Path bundle;

  @BeforeAll
  static void fixtures() throws Exception {
    bundle = TestBundle.write(shared.resolve("bundle"), 64);
  }

  /** A 64 px PNG with a red 16 x 16 square at (8, 8), ground elsewhere. */
  static void redSquare(Path file) throws Exception {
    BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    g.setColor(Scenes.GROUND);
    g.fillRect(0, 0, 64, 64);
    g.setColor(Scenes.RED);
    g.fillRect(8, 8, 16, 16);
    g.dispose();
    Files.createDirectories(file.getParent());
    ImageIO.write(image, "png", file.toFile());
  }

  /** Python's protocol 0 for lists, dicts (string keys), strings and integers. */
  static String pickle(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value);
    return out.append('.').toString();
  }

  private static void write(StringBuilder out, Object value) {
    if (value instanceof List<?> list) {
      out.append("(l");
      for (Object item : list) {
        write(out, item);
        out.append('a');
      }
    } else if (value instanceof Map<?, ?> map) {
      out.append("(d");
      for (Map.Entry<?, ?> e : map.entrySet()) {
        write(out, e.getKey());
        write(out, e.getValue());
        out.append('s');
      }
    } else if (value instanceof String s) {
      out.append('V').append(s).append('\n');
    } else {
      out.append('I').append(value).append('\n');
    }
  }

  static Map<String, Object> ref(int id, int annId, String split, String... sentences) {
    Map<String, Object> ref = new LinkedHashMap<>();
    ref.put("ref_id", id);
    ref.put("ann_id", annId);
    ref.put("image_id", 1);
    ref.put("split", split);
    ref.put("category_id", annId == 11 ? 2 : 1);
    List<Object> list = new java.util.ArrayList<>();
    for (int i = 0; i < sentences.length; i++) {
      list.add(Map.of("raw", sentences[i], "sent_id", id * 10 + i));
    }
    ref.put("sentences", list);
    return ref;
  }

  static Path rrsisd(String name, String refsPickle) throws Exception {
    Path root = shared.resolve(name);
    redSquare(root.resolve("images/rrsisd/JPEGImages/0001.png"));
    Files.createDirectories(root.resolve("rrsisd"));
    Files.writeString(root.resolve("rrsisd/refs(unc).p"), refsPickle, StandardCharsets.UTF_8);
    // 10: the square as a polygon (pixel centres 8.5 .. 23.5 inside): IoU 1
    // 11: uncompressed RLE of the square's left half, columns 8..15, rows 8..23: IoU 0.5
    // 12: compressed RLE of an empty mask, counts [4096] = 0 + 0*32 + 4*1024: "PP4": IoU 0
    StringBuilder half = new StringBuilder("[" + (8 * 64 + 8));
    for (int c = 8; c < 16; c++) {
      half.append(",16,").append(c < 15 ? 48 : 64 * 64 - (15 * 64 + 24));
    }
    half.append("]");
    String instances =
        "{\"images\": [{\"id\": 1, \"file_name\": \"0001.png\", \"width\": 64, \"height\": 64}],"
            + "\"annotations\": ["
            + "{\"id\": 10, \"image_id\": 1, \"category_id\": 1,"
            + " \"segmentation\": [[8, 8, 24, 8, 24, 24, 8, 24]]},"
            + "{\"id\": 11, \"image_id\": 1, \"category_id\": 2,"
            + " \"segmentation\": {\"size\": [64, 64], \"counts\": "
            + half
            + "}},"
            + "{\"id\": 12, \"image_id\": 1, \"category_id\": 1,"
            + " \"segmentation\": {\"size\": [64, 64], \"counts\": \"PP4\"}}],"
            + "\"categories\": [{\"id\": 1, \"name\": \"vehicle\"}, {\"id\": 2, \"name\": \"ship\"}]}";
    Files.writeString(root.resolve("rrsisd/instances.json"), instances);
    return root;
  }

  static Cli eval(Path data, String split, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "eval",
                "--data",
                data.toString(),
                "--split",
                split,
                "--model",
                bundle.toString(),
                "--device",
                "cpu"));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(new String[0]));
  }

  @Test
  void rrsisdScoresOneSamplePerSentenceWithKnownIous() throws Exception {
    Path data =
        rrsisd(
            "rrsisd",
            pickle(
                List.of(
                    ref(1, 10, "test", "the red square", "a red square"),
                    ref(2, 11, "test", "the ship"),
                    ref(3, 12, "testB", "nothing here"),
                    ref(4, 10, "train", "a training sentence"))));
    Cli run = eval(data, "test");
    assertEquals(0, run.exitCode, run.err);
    assertTrue(run.out.contains("data: 4 samples of split test in the rrsisd layout"), run.out);
    Map<String, String> s = run.summary();
    assertEquals("4", s.get("samples"));
    assertEquals("0.6250", s.get("mIoU")); // (1 + 1 + 0.5 + 0) / 4
    assertEquals("0.6250", s.get("oIoU")); // (256 + 256 + 128 + 0) / (4 * 256)
    assertEquals("0.7500", s.get("Pr@0.5"));
    assertEquals("0.5000", s.get("Pr@0.6"));
    assertTrue(run.out.lines().anyMatch(l -> l.matches("vehicle\\s+3\\s+66\\.67\\s.*")), run.out);
    assertTrue(run.out.lines().anyMatch(l -> l.matches("ship\\s+1\\s+50\\.00\\s.*")), run.out);

    // the inner rrsisd/ folder is accepted too, the layout named explicitly
    Cli inner = eval(data.resolve("rrsisd"), "train", "--layout", "rrsisd");
    assertEquals(0, inner.exitCode, inner.err);
    assertEquals("1", inner.summary().get("samples"));
    assertEquals("1.0000", inner.summary().get("mIoU"));
  }

  @Test
  void rrsisdErrors() throws Exception {
    Path data = rrsisd("errors", pickle(List.of(ref(1, 10, "train", "x"), ref(2, 10, "val", "y"))));
    Cli noSplit = eval(data, "test");
    assertEquals(1, noSplit.exitCode);
    assertTrue(
        noSplit.err.contains("no refs in split 'test'; splits present: train, val"), noSplit.err);

    Cli wrongLayout = eval(data, "train", "--layout", "risbench");
    assertEquals(1, wrongLayout.exitCode);
    assertTrue(wrongLayout.err.contains("is not in the risbench layout"), wrongLayout.err);

    Cli unknownLayout = eval(data, "train", "--layout", "coco");
    assertEquals(2, unknownLayout.exitCode);
    assertTrue(unknownLayout.err.contains("known: refsegrs, rrsisd, risbench"), unknownLayout.err);

    Path objects = rrsisd("objects", "cpathlib\nPosixPath\n.");
    Cli global = eval(objects, "train");
    assertEquals(1, global.exitCode);
    assertTrue(global.err.contains("refs(unc).p: opcode GLOBAL"), global.err);

    Path dangling = rrsisd("dangling", pickle(List.of(ref(1, 99, "train", "x"))));
    Cli missing = eval(dangling, "train");
    assertEquals(1, missing.exitCode);
    assertTrue(missing.err.contains("ref 1 names annotation 99"), missing.err);

    Path nothing = shared.resolve("nothing");
    Files.createDirectories(nothing);
    Cli none = eval(nothing, "train");
    assertEquals(1, none.exitCode);
    assertTrue(none.err.contains("no known dataset layout"), none.err);
  }

  @Test
  void risbenchNamesWithAndWithoutExtension() throws Exception {
    Path data = shared.resolve("risbench");
    redSquare(data.resolve("img_rgb/a.png"));
    redSquare(data.resolve("img_rgb/b.png"));
    BufferedImage mask = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = mask.createGraphics();
    g.setColor(java.awt.Color.WHITE);
    g.fillRect(8, 8, 16, 16);
    g.dispose();
    Files.createDirectories(data.resolve("mask"));
    ImageIO.write(mask, "png", data.resolve("mask/a.png").toFile());
    ImageIO.write(
        new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY),
        "png",
        data.resolve("mask/b.png").toFile());
    Files.writeString(data.resolve("output_phrase_test.txt"), "a.png the red square\nb the void\n");
    Cli run = eval(data, "test");
    assertEquals(0, run.exitCode, run.err);
    assertTrue(run.out.contains("in the risbench layout"), run.out);
    assertEquals("2", run.summary().get("samples"));
    assertEquals("0.5000", run.summary().get("mIoU")); // 1 and 0 (prediction, empty truth)

    Cli noSplit = eval(data, "val");
    assertEquals(1, noSplit.exitCode);
    assertTrue(noSplit.err.contains("splits present: test"), noSplit.err);

    Files.writeString(data.resolve("output_phrase_bad.txt"), "c.png missing\n");
    Cli missing = eval(data, "bad");
    assertEquals(1, missing.exitCode);
    assertTrue(missing.err.contains("c.png"), missing.err);
  }

  /** A blank sentence or phrase is an error naming the ref and sentence, or file, line and name. */
  @Test
  void blankExpressionsAreRefused() throws Exception {
    Path data =
        rrsisd(
            "blank",
            pickle(List.of(ref(1, 10, "test", "the red square", "\\u00a0\\u200b\\u00a0"))));
    Cli run = eval(data, "test");
    assertEquals(1, run.exitCode, run.out + run.err);
    assertTrue(
        run.err.contains(
            "refs(unc).p: ref 1 sentence 11: the expression holds no visible character (only"
                + " U+00A0, U+200B)"),
        run.err);

    Path risbench = shared.resolve("risbench-blank");
    redSquare(risbench.resolve("img_rgb/a.png"));
    redSquare(risbench.resolve("mask/a.png"));
    Files.writeString(
        risbench.resolve("output_phrase_test.txt"), "a.png \ufeff\u2060\n", StandardCharsets.UTF_8);
    Cli phrases = eval(risbench, "test");
    assertEquals(1, phrases.exitCode, phrases.out + phrases.err);
    assertTrue(
        phrases.err.contains(
            "output_phrase_test.txt:1: sample a.png: the expression holds no visible character"
                + " (only U+2060, U+FEFF)"),
        phrases.err);
  }
}
