package org.diffris.pipeline;

/**
 * What one tile costs this model on this machine and provider, in seconds of a job's run
 * (reading, the model, blending and vectorizing, per tile sent to the model), and where the
 * figure comes from.
 *
 * @param secondsPerTile seconds per tile run, above 0
 * @param runs the real runs it is the mean of; 0 for a calibration
 * @param basis where it comes from, in words ("calibrated now on 16 blank tiles", "mean of 3
 *     runs")
 */
public record TileCost(double secondsPerTile, int runs, String basis) {
  public TileCost {
    if (!(secondsPerTile > 0) || Double.isInfinite(secondsPerTile)) {
      throw new IllegalArgumentException(
          "a tile's cost is a positive number of seconds, got " + secondsPerTile);
    }
  }
}
