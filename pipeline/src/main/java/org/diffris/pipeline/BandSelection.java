package org.diffris.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The bands a user picks to feed the model: band numbers counted from 1, as GIS tools count them,
 * separated by commas ({@code "4,3,2"}). No selection means: the bands the raster says are red,
 * green and blue, in the model's channel order ({@code image.band_order}, RGB when it does not
 * say), when the raster says so for all three; else the first bands that are not alpha, as many
 * as the model takes. The result is 0-based, one band per model channel, in the given order. The one place
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

  /** {@link #parse(String, int, int, List, String)} for a raster that says nothing of its bands. */
  public static int[] parse(String text, int bandCount, int channels) {
    return parse(text, bandCount, channels, List.of(), null);
  }

  /**
   * @param text the user's selection, or null / blank for the default (see the class)
   * @param bandCount bands in the raster
   * @param channels bands the model takes
   * @param roles what the raster says each band holds (empty when it says nothing)
   * @param modelOrder the model's channel colours as letters ({@code "RGB"}), or null
   * @throws InvalidOptionException when the syntax or the number of bands is wrong
   * @throws InvalidInputException when a band is not in the raster
   */
  public static int[] parse(
      String text, int bandCount, int channels, List<BandRole> roles, String modelOrder) {
    if (text == null || text.isBlank()) {
      int[] colours = byColour(roles, channels, modelOrder);
      if (colours != null) {
        return colours;
      }
      List<Integer> usable = new ArrayList<>();
      for (int b = 0; b < bandCount; b++) {
        if (b >= roles.size() || roles.get(b) != BandRole.ALPHA) {
          usable.add(b);
        }
      }
      if (usable.size() < channels) {
        throw new InvalidInputException(
            "the model takes "
                + channels
                + " bands, the raster has "
                + bands(bandCount)
                + (usable.size() < bandCount ? " (" + usable.size() + " not alpha)" : "")
                + "; give bands with "
                + channels
                + " band numbers (repeat a band for grey imagery, e.g. 1,1,1)");
      }
      return usable.subList(0, channels).stream().mapToInt(Integer::intValue).toArray();
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

  /** The red, green and blue bands in the model's order, or null unless the raster names all. */
  private static int[] byColour(List<BandRole> roles, int channels, String modelOrder) {
    String order = modelOrder == null ? "RGB" : modelOrder;
    if (order.length() != channels || !order.matches("[RGB]+")) {
      return null;
    }
    int[] selected = new int[channels];
    for (int c = 0; c < channels; c++) {
      BandRole wanted =
          switch (order.charAt(c)) {
            case 'R' -> BandRole.RED;
            case 'G' -> BandRole.GREEN;
            default -> BandRole.BLUE;
          };
      selected[c] = roles.indexOf(wanted);
      if (selected[c] < 0) {
        return null;
      }
    }
    return selected;
  }

  private static String bands(int count) {
    return count + (count == 1 ? " band" : " bands");
  }
}
