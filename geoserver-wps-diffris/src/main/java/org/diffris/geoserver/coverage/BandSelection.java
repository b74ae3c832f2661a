package org.diffris.geoserver.coverage;

import java.util.Arrays;

/**
 * Parses the bands a user picks to feed the model: band numbers counted from 1, as GIS tools
 * count them, separated by commas ({@code "4,3,2"}). No selection means the first bands, as many
 * as the model takes. The result is 0-based, one band per model channel, in the given order.
 */
public final class BandSelection {
  private BandSelection() {}

  /**
   * @param text the user's selection, or null / blank for the first {@code channels} bands
   * @param bandCount bands in the raster
   * @param channels bands the model takes
   * @throws CoverageInputException naming the band or the syntax at fault
   */
  public static int[] parse(String text, int bandCount, int channels) {
    if (text == null || text.isBlank()) {
      if (bandCount < channels) {
        throw new CoverageInputException("the model takes " + channels + " bands, the raster has "
            + bandCount + (bandCount == 1 ? " band" : " bands")
            + "; give 'bands' with " + channels + " band numbers (repeat a band for grey imagery, e.g. 1,1,1)");
      }
      int[] first = new int[channels];
      Arrays.setAll(first, i -> i);
      return first;
    }
    String[] parts = text.split(",", -1);
    int[] bands = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].trim();
      if (!p.matches("[0-9]{1,6}")) {
        throw new CoverageInputException("bands '" + text + "' not understood: give band numbers "
            + "counted from 1, separated by commas, e.g. 1,2,3");
      }
      int band = Integer.parseInt(p);
      if (band < 1 || band > bandCount) {
        throw new CoverageInputException("band " + band + " requested, the raster has " + bandCount
            + (bandCount == 1 ? " band" : " bands") + " (numbered from 1)");
      }
      bands[i] = band - 1;
    }
    if (bands.length != channels) {
      throw new CoverageInputException("the model takes " + channels + " bands, 'bands' gives "
          + bands.length + " (" + text.trim() + ")");
    }
    return bands;
  }
}
