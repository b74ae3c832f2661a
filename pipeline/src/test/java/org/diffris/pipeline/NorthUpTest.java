package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.AreaModel;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * A raster stored south-up, mirrored or both is seen as its north-up picture: the same pixels at
 * the same places, and the same georeferencing.
 */
class NorthUpTest {
  static final int W = 7;
  static final int H = 5;

  /** Pixel values that tell every pixel and band apart. */
  static float value(int band, int col, int row) {
    return band * 1000 + row * 10 + col;
  }

  /** The picture stored with its columns and/or rows reversed, with 0 as nodata in band 2. */
  static RasterSource stored(boolean columns, boolean rows) {
    return new RasterSource() {
      @Override
      public int width() {
        return W;
      }

      @Override
      public int height() {
        return H;
      }

      @Override
      public int bandCount() {
        return 3;
      }

      @Override
      public java.util.OptionalDouble nodata(int band) {
        return band == 2 ? java.util.OptionalDouble.of(0) : java.util.OptionalDouble.empty();
      }

      @Override
      public void read(int x, int y, int w, int h, int[] bands, float[] dest) {
        for (int b = 0; b < bands.length; b++) {
          for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
              int col = columns ? W - 1 - (x + c) : x + c;
              int row = rows ? H - 1 - (y + r) : y + r;
              dest[(b * h + r) * w + c] = value(bands[b], col, row);
            }
          }
        }
      }
    };
  }

  /** The north-up picture's grid: 0.5 m pixels from (402000, 5059000). */
  static final PixelToWorld NORTH_UP = new PixelToWorld(402000, 0.5, 0, 5059000, 0, -0.5);

  /** The grid of the picture stored with its columns and/or rows reversed. */
  static PixelToWorld storedGrid(boolean columns, boolean rows) {
    return new PixelToWorld(
        columns ? 402000 + W * 0.5 : 402000,
        columns ? -0.5 : 0.5,
        0,
        rows ? 5059000 - H * 0.5 : 5059000,
        0,
        rows ? 0.5 : -0.5);
  }

  static RasterInput input(boolean columns, boolean rows) {
    return new RasterInput(
        stored(columns, rows),
        storedGrid(columns, rows),
        AreaModel.planar(1),
        SampleType.BYTE,
        List.of(),
        32633);
  }

  @ParameterizedTest(name = "columns reversed {0}, rows reversed {1}")
  @CsvSource({"false, false", "false, true", "true, false", "true, true"})
  void everyStorageOrderIsSeenAsTheNorthUpPicture(boolean columns, boolean rows) throws Exception {
    NorthUp northUp = NorthUp.of(input(columns, rows));
    assertEquals(columns, northUp.reversesColumns());
    assertEquals(rows, northUp.reversesRows());
    RasterInput seen = northUp.input();
    assertEquals(NORTH_UP, seen.pixelToWorld());
    assertEquals(Optional.empty(), northUp.warning());
    // Any rectangle reads the north-up picture's pixels, bands in the order asked.
    int[] bands = {2, 0};
    for (int[] rect : new int[][] {{0, 0, W, H}, {1, 2, 3, 2}, {6, 4, 1, 1}, {2, 0, 4, 5}}) {
      float[] dest = new float[bands.length * rect[2] * rect[3]];
      seen.source().read(rect[0], rect[1], rect[2], rect[3], bands, dest);
      for (int b = 0; b < bands.length; b++) {
        for (int r = 0; r < rect[3]; r++) {
          for (int c = 0; c < rect[2]; c++) {
            assertEquals(
                value(bands[b], rect[0] + c, rect[1] + r),
                dest[(b * rect[3] + r) * rect[2] + c],
                0f);
          }
        }
      }
    }
    assertEquals(0, seen.source().nodata(2).orElseThrow());
  }

  @ParameterizedTest(name = "columns reversed {0}, rows reversed {1}")
  @CsvSource({"false, true", "true, false", "true, true"})
  void aRegionOfInterestAndProbabilitiesStayInTheStoredRastersPixels(boolean columns, boolean rows)
      throws Exception {
    NorthUp northUp = NorthUp.of(input(columns, rows));
    // A region of interest round world x 402000.5..402002, y 5058998.5..5059000: north-up
    // columns 1..3, rows 0..2.
    org.locationtech.jts.geom.Geometry box =
        new GeometryFactory().toGeometry(new Envelope(402000.5, 402002, 5058998.5, 5059000));
    RegionOfInterest storedRoi = northUp.roi(new RoiMask(box, storedGrid(columns, rows)));
    RegionOfInterest northUpRoi = new RoiMask(box, NORTH_UP);
    for (int first = 0; first < H; first++) {
      for (int h = 1; first + h <= H; h++) {
        float[] p1 = filled(W * h);
        byte[] v1 = ones(W * h);
        float[] p2 = filled(W * h);
        byte[] v2 = ones(W * h);
        storedRoi.apply(first, W, h, p1, v1);
        northUpRoi.apply(first, W, h, p2, v2);
        assertArrayEquals(p2, p1, 0f, "rows " + first + "+" + h);
        assertArrayEquals(v2, v1, "rows " + first + "+" + h);
      }
    }
    for (PixelBounds pixels :
        List.of(
            new PixelBounds(1, 0, 4, 3),
            new PixelBounds(2, 0, 3, 1),
            new PixelBounds(5, 3, 7, 5),
            new PixelBounds(0, 2, 2, 5))) {
      for (int margin = 0; margin < 3; margin++) {
        assertEquals(
            northUpRoi.boundaryNear(pixels, margin),
            storedRoi.boundaryNear(pixels, margin),
            pixels + " within " + margin);
      }
    }

    // Probability bands, north-up, come back turned onto the stored grid.
    List<int[]> firstRows = new ArrayList<>();
    float[] storedP = new float[W * H];
    byte[] storedV = new byte[W * H];
    var back =
        northUp.back(
            (first, h, p, v) -> {
              firstRows.add(new int[] {first, h});
              System.arraycopy(p, 0, storedP, first * W, W * h);
              System.arraycopy(v, 0, storedV, first * W, W * h);
            });
    for (int[] band : new int[][] {{0, 2}, {2, 1}, {3, 2}}) {
      float[] p = new float[W * band[1]];
      byte[] v = new byte[W * band[1]];
      for (int r = 0; r < band[1]; r++) {
        for (int c = 0; c < W; c++) {
          p[r * W + c] = value(0, c, band[0] + r);
          v[r * W + c] = (byte) ((c + band[0] + r) % 2);
        }
      }
      float[] sent = p.clone();
      back.accept(band[0], band[1], p, v);
      assertArrayEquals(sent, p, 0f, "the north-up band is left as it was");
    }
    for (int r = 0; r < H; r++) {
      for (int c = 0; c < W; c++) {
        int col = columns ? W - 1 - c : c;
        int row = rows ? H - 1 - r : r;
        assertEquals(value(0, col, row), storedP[r * W + c], 0f);
        assertEquals((col + row) % 2, storedV[r * W + c]);
      }
    }
    assertEquals(rows ? H - 2 : 0, firstRows.get(0)[0]);
  }

  @Test
  void aRasterWithoutGeoreferencingIsTakenAsStored() {
    RasterInput plain =
        new RasterInput(
            stored(false, false),
            PixelToWorld.identity(),
            AreaModel.planar(1),
            SampleType.BYTE,
            List.of(),
            0);
    NorthUp northUp = NorthUp.of(plain);
    assertFalse(northUp.reversesRows());
    assertEquals(plain, northUp.input());
    assertEquals(Optional.empty(), northUp.warning());
  }

  @ParameterizedTest(name = "{0}° turned")
  @CsvSource({"0.5, ''", "30, 30.0", "-30, 30.0", "150, 30.0", "90, 90.0", "180, ''"})
  void aTurnedGridIsReversedWhereThatHelpsAndTheRestIsAWarning(double degrees, String warned) {
    double a = Math.toRadians(degrees);
    // columns step (cos, sin), rows step (sin, -cos): the north-up grid turned counterclockwise
    PixelToWorld turned =
        new PixelToWorld(
            1000,
            0.5 * Math.cos(a),
            0.5 * Math.sin(a),
            2000,
            0.5 * Math.sin(a),
            -0.5 * Math.cos(a));
    NorthUp northUp =
        NorthUp.of(
            new RasterInput(
                stored(false, false),
                turned,
                AreaModel.planar(1),
                SampleType.BYTE,
                List.of(),
                32633));
    Optional<String> warning = northUp.warning();
    if (warned.isEmpty()) {
      assertEquals(Optional.empty(), warning);
    } else {
      assertTrue(
          warning.orElseThrow().startsWith("the raster's grid is turned " + warned + "° from"),
          warning.orElseThrow());
      assertTrue(warning.orElseThrow().contains("gdalwarp"), warning.orElseThrow());
    }
    // The turned grid maps the same pixels to the same places.
    PixelToWorld seen = northUp.input().pixelToWorld();
    int c = northUp.reversesColumns() ? W : 0;
    int r = northUp.reversesRows() ? H : 0;
    assertEquals(turned.x(c, r), seen.x(0, 0), 1e-9);
    assertEquals(turned.y(c, r), seen.y(0, 0), 1e-9);
  }

  @Test
  void aShearIsNamed() {
    PixelToWorld sheared = new PixelToWorld(1000, 0.5, 0.1, 2000, 0, -0.5);
    NorthUp northUp =
        NorthUp.of(
            new RasterInput(
                stored(false, false),
                sheared,
                AreaModel.planar(1),
                SampleType.BYTE,
                List.of(),
                32633));
    assertTrue(northUp.warning().orElseThrow().contains("sheared 11.3°"), northUp.warning().get());
  }

  private static float[] filled(int n) {
    float[] p = new float[n];
    for (int i = 0; i < n; i++) {
      p[i] = 0.25f + i;
    }
    return p;
  }

  private static byte[] ones(int n) {
    byte[] v = new byte[n];
    java.util.Arrays.fill(v, (byte) 1);
    return v;
  }
}
