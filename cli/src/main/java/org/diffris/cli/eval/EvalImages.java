package org.diffris.cli.eval;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.diffris.cli.InputException;

/**
 * Reads the images and masks of an evaluation folder as plain arrays (TIFF, JPEG and PNG through
 * Java's own ImageIO readers: georeferencing is not needed to score a mask, and real RefSegRS,
 * RRSIS-D and RISBench files have none). Images: the first three bands, band-sequential floats;
 * masks: the first band (a palette PNG's indices), non-zero = object.
 */
final class EvalImages {
  private EvalImages() {}

  /** A decoded raster: width, height, band-sequential samples. */
  record Planes(int width, int height, int bands, float[] values) {}

  static Planes read(Path file, int maxBands) throws InputException {
    if (!Files.isRegularFile(file)) {
      throw new InputException("file not found: " + file);
    }
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new InputException("not a readable image: " + file + " (" + e.getMessage() + ")", e);
    }
    if (image == null) {
      throw new InputException("not a readable image: " + file);
    }
    Raster raster = image.getRaster();
    int w = raster.getWidth();
    int h = raster.getHeight();
    int bands = Math.min(maxBands, raster.getNumBands());
    float[] values = new float[bands * w * h];
    float[] band = new float[w * h];
    for (int b = 0; b < bands; b++) {
      raster.getSamples(raster.getMinX(), raster.getMinY(), w, h, b, band);
      System.arraycopy(band, 0, values, b * w * h, w * h);
    }
    return new Planes(w, h, bands, values);
  }

  /** The first band of a mask file, non-zero = object. */
  static EvalSample.BinaryMask mask(Path file) throws InputException {
    Planes planes = read(file, 1);
    boolean[] mask = new boolean[planes.width() * planes.height()];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = planes.values()[i] != 0;
    }
    return new EvalSample.BinaryMask(planes.width(), planes.height(), mask);
  }
}
