package org.diffris.cli.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.diffris.cli.testing.TestBundle;
import org.diffris.runtime.json.JsonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * COCO segmentation decoding on hand-made cases with known answers, and against {@code
 * model/diffris/datasets/coco_mask.py} on random polygons and encodings (skipped without Debian's
 * {@code /usr/bin/python3} with numpy).
 */
class CocoSegmentationTest {
  private static final String PYTHON = "/usr/bin/python3";

  @TempDir Path work;

  private static int count(boolean[] mask) {
    int n = 0;
    for (boolean b : mask) {
      n += b ? 1 : 0;
    }
    return n;
  }

  @Test
  void uncompressedRunsAreColumnMajorStartingWithZeros() {
    // h=3, w=2; pixels in order (0,0) (1,0) (2,0) (0,1) (1,1) (2,1): off on on off on on
    boolean[] mask = CocoSegmentation.countsToMask(new long[] {1, 2, 1, 2}, 3, 2);
    assertArrayEquals(new boolean[] {false, false, true, true, true, true}, mask);
    assertThrows(
        IllegalArgumentException.class,
        () -> CocoSegmentation.countsToMask(new long[] {1, 2, 2}, 3, 2));
  }

  @Test
  void compressedStringsByHand() {
    // the fourth count is stored as 2 - counts[1] = 0
    assertArrayEquals(new long[] {1, 2, 1, 2}, CocoSegmentation.stringToCounts("1210"));
    // 2 - 5 = -3: five low bits 29 with the sign bit, no continuation: chr(48 + 29) = 'M'
    assertArrayEquals(new long[] {0, 5, 10, 2}, CocoSegmentation.stringToCounts("05:M"));
    // 100 = 3 * 32 + 4: 'T' (4 + continuation 32 + 48), then '3'
    assertArrayEquals(new long[] {100}, CocoSegmentation.stringToCounts("T3"));
    assertThrows(IllegalArgumentException.class, () -> CocoSegmentation.stringToCounts("T"));
  }

  @Test
  void aPolygonSquareCoversThePixelsWhoseCentresAreInside() {
    boolean[] mask = CocoSegmentation.decode(List.of(List.of(1, 1, 5, 1, 5, 4, 1, 4)), 6, 7);
    assertEquals(4 * 3, count(mask));
    for (int y = 1; y < 4; y++) {
      for (int x = 1; x < 5; x++) {
        assertTrue(mask[y * 7 + x]);
      }
    }
    boolean[] union =
        CocoSegmentation.decode(
            List.of(List.of(0, 0, 3, 0, 3, 3, 0, 3), List.of(2, 2, 10, 2, 10, 10, 2, 10)), 5, 5);
    assertEquals(9 + 9 - 1, count(union));
  }

  @Test
  void rleSizeMustMatchTheImage() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CocoSegmentation.decode(Map.of("size", List.of(3, 2), "counts", List.of(6)), 2, 3));
    assertTrue(e.getMessage().contains("differs"), e.getMessage());
  }

  @Test
  void javaDecodesAsPythonOnRandomSegmentations() throws Exception {
    assumeTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " missing: agreement not checked");
    Random random = new Random(11);
    StringBuilder json = new StringBuilder("[");
    List<int[]> sizes = new ArrayList<>();
    for (int c = 0; c < 60; c++) {
      int h = 1 + random.nextInt(30);
      int w = 1 + random.nextInt(30);
      sizes.add(new int[] {h, w});
      json.append(c == 0 ? "" : ",").append("{\"h\":").append(h).append(",\"w\":").append(w);
      json.append(",\"seg\":");
      if (c % 3 == 2) {
        // compressed string of random runs summing to h * w
        List<Long> runs = new ArrayList<>();
        long left = (long) h * w;
        while (left > 0) {
          long run = Math.min(left, random.nextInt(12));
          runs.add(run);
          left -= run;
        }
        json.append("{\"size\":[").append(h).append(",").append(w).append("],\"counts\":");
        json.append(runs).append(",\"compress\":true}");
      } else {
        json.append("[");
        int parts = 1 + random.nextInt(2);
        for (int p = 0; p < parts; p++) {
          json.append(p == 0 ? "[" : ",[");
          int k = 3 + random.nextInt(6);
          for (int i = 0; i < k; i++) {
            double x = random.nextDouble() * (w + 4) - 2;
            double y = random.nextDouble() * (h + 4) - 2;
            if (c % 3 == 1) {
              x = Math.round(x);
              y = Math.round(y);
            }
            json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f,%.3f", x, y));
          }
          json.append("]");
        }
        json.append("]");
      }
      json.append("}");
    }
    json.append("]");
    Path cases = work.resolve("cases.json");
    Files.writeString(cases, json, StandardCharsets.UTF_8);
    String script =
        "import json, sys\n"
            + "sys.path.insert(0, 'model')\n"
            + "from diffris.datasets.coco_mask import counts_to_string, segmentation_mask\n"
            + "out = []\n"
            + "for c in json.load(open(sys.argv[1])):\n"
            + "    seg = c['seg']\n"
            + "    if isinstance(seg, dict) and seg.pop('compress', False):\n"
            + "        seg['counts'] = counts_to_string(seg['counts'])\n"
            + "    m = segmentation_mask(seg, c['h'], c['w'])\n"
            + "    out.append({'seg': seg, 'mask': ''.join('1' if b else '0' for b in m.reshape(-1))})\n"
            + "print(json.dumps(out))\n";
    Process p =
        new ProcessBuilder(PYTHON, "-c", script, cases.toString())
            .directory(TestBundle.root().toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assumeTrue(p.exitValue() == 0 || !out.contains("No module named 'numpy'"), out);
    assertEquals(0, p.exitValue(), out);
    List<?> decoded = (List<?>) JsonReader.parse(out.strip(), "python");
    int polygonCases = 0;
    int nonEmpty = 0;
    for (int c = 0; c < decoded.size(); c++) {
      Map<?, ?> entry = (Map<?, ?>) decoded.get(c);
      int[] hw = sizes.get(c);
      boolean[] mask = CocoSegmentation.decode(entry.get("seg"), hw[0], hw[1]);
      StringBuilder bits = new StringBuilder();
      for (boolean b : mask) {
        bits.append(b ? '1' : '0');
      }
      assertEquals(entry.get("mask"), bits.toString(), "case " + c + ": " + entry.get("seg"));
      polygonCases += entry.get("seg") instanceof List<?> ? 1 : 0;
      nonEmpty += count(mask) > 0 ? 1 : 0;
    }
    assertEquals(60, decoded.size());
    assertEquals(40, polygonCases);
    assertTrue(nonEmpty >= 45, "only " + nonEmpty + " of 60 masks have pixels");
  }
}
