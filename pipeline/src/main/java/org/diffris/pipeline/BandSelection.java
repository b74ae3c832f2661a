package org.diffris.pipeline;

import java.util.Arrays;

/**
 * The bands a user picks to feed the model: band numbers counted from 1, as GIS tools count them,
 * separated by commas ({@code "4,3,2"}). No selection means the first bands, as many as the model
 * takes. The result is 0-based, one band per model channel, in the given order. The one place
 * every host's band rule lives: the syntax ({@link #checkSyntax}, before any file is opened) and
 * the fit to a model and a raster ({@link #parse}).
 */
public final class BandSelection {
  private BandSelection() {}

  /**
   * Checks the text alone: band numbers from 1, separated by commas.
   *
   * @throws InvalidOptionException naming the syntax at fault
   */
  public static void checkSyntax(String text) {
    if (text == null) {
      return;
    }
    for (String part : text.split(",", -1)) {
      String p = part.trim();
      if (!p.matches("[0-9]{1,6}") || Integer.parseInt(p) < 1) {
        throw new InvalidOptionException(
            "bands",
            "'"
                + text
                + "' not understood: give band "
                + "numbers counted from 1, separated by commas, e.g. 1,2,3");
      }
    }
  }

  /**
   * @param text the user's selection, or null / blank for the first {@code channels} bands
   * @param bandCount bands in the raster
   * @param channels bands the model takes
   * @throws InvalidOptionException when the syntax or the number of bands is wrong
   * @throws InvalidInputException when a band is not in the raster
   */
  public static int[] parse(String text, int bandCount, int channels) {
    if (text == null || text.isBlank()) {
      if (bandCount < channels) {
        throw new InvalidInputException(
            "the model takes "
                + channels
                + " bands, the raster has "
                + bands(bandCount)
                + "; give bands with "
                + channels
                + " band numbers (repeat a band for grey imagery, e.g. 1,1,1)");
      }
      int[] first = new int[channels];
      Arrays.setAll(first, i -> i);
      return first;
    }
    checkSyntax(text);
    String[] parts = text.split(",", -1);
    if (parts.length != channels) {
      throw new InvalidOptionException(
          "bands",
          "lists " + parts.length + " bands (" + text.trim() + "), the model takes " + channels);
    }
    int[] selected = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      int band = Integer.parseInt(parts[i].trim());
      if (band > bandCount) {
        throw new InvalidInputException(
            "band "
                + band
                + " requested, the raster has "
                + bands(bandCount)
                + " (numbered from 1)");
      }
      selected[i] = band - 1;
    }
    return selected;
  }

  private static String bands(int count) {
    return count + (count == 1 ? " band" : " bands");
  }
}
