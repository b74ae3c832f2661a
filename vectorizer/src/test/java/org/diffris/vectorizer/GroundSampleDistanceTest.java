package org.diffris.vectorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GroundSampleDistanceTest {

  @Test
  void projectedGridsUseThePixelAreaInMetres() {
    PixelToWorld halfMetre = PixelToWorld.fromGdal(new double[] {402000, 0.5, 0, 5059000, 0, -0.5});
    assertEquals(
        0.5, GroundSampleDistance.metres(halfMetre, 1792, 1792, AreaModel.planar(1)), 1e-15);
    // 2 x 1 ft pixels, rotated: the square root of the area, in metres
    double c = Math.cos(0.3);
    double s = Math.sin(0.3);
    PixelToWorld rotatedFeet = PixelToWorld.fromGdal(new double[] {0, 2 * c, s, 0, 2 * s, -c});
    assertEquals(
        Math.sqrt(2) * 0.3048,
        GroundSampleDistance.metres(rotatedFeet, 10, 10, AreaModel.planar(0.3048)),
        1e-12);
  }

  @Test
  void lonLatGridsAreMeasuredAtTheirCentreLatitudeToTheDegree() {
    // 1e-5 degree pixels; the centre of 200 x 150 pixels from (15, 47.8015) going south is
    // 47.80075, measured at 48
    PixelToWorld grid = PixelToWorld.fromGdal(new double[] {15, 1e-5, 0, 47.8015, 0, -1e-5});
    double metresPerDegree = Math.PI * 6_371_008.8 / 180;
    double expected = 1e-5 * metresPerDegree * Math.sqrt(Math.cos(Math.toRadians(48)));
    double gsd = GroundSampleDistance.metres(grid, 200, 150, AreaModel.geodesicWgs84());
    assertEquals(expected, gsd, 1e-12);
    // within 1 % of the GSD at the centre itself
    double atCentre = 1e-5 * metresPerDegree * Math.sqrt(Math.cos(Math.toRadians(47.80075)));
    assertEquals(atCentre, gsd, atCentre * 0.01);
    // a crop of it (another centre, same degree) gets the very same GSD
    PixelToWorld crop = PixelToWorld.fromGdal(new double[] {15.0004, 1e-5, 0, 47.8010, 0, -1e-5});
    assertEquals(gsd, GroundSampleDistance.metres(crop, 50, 40, AreaModel.geodesicWgs84()), 0.0);
  }

  @Test
  void eachAxisIsMeasuredOnItsOwn() {
    AreaModel metres = AreaModel.planar(1);
    // north-up square pixels: both axes are metres() to the bit, stored either way round
    for (double[] t :
        new double[][] {
          {402000, 0.3, 0, 5059000, 0, -0.3},
          {402000, -0.3, 0, 5059000, 0, 0.3},
          {402000, 0.075, 0, 5059000, 0, -0.075}
        }) {
      PixelToWorld grid = PixelToWorld.fromGdal(t);
      double gsd = GroundSampleDistance.metres(grid, 100, 100, metres);
      assertEquals(gsd, GroundSampleDistance.alongColumns(grid, 100, 100, metres), 0.0);
      assertEquals(gsd, GroundSampleDistance.alongRows(grid, 100, 100, metres), 0.0);
    }
    // 0.5 x 1 m pixels: not one square root of their area
    PixelToWorld oblong = PixelToWorld.fromGdal(new double[] {0, 0.5, 0, 0, 0, -1});
    assertEquals(0.5, GroundSampleDistance.alongColumns(oblong, 10, 10, metres), 0.0);
    assertEquals(1, GroundSampleDistance.alongRows(oblong, 10, 10, metres), 0.0);
    // rotated 2 x 1 ft pixels: the length of each step
    double c = Math.cos(0.3);
    double s = Math.sin(0.3);
    PixelToWorld rotatedFeet = PixelToWorld.fromGdal(new double[] {0, 2 * c, s, 0, 2 * s, -c});
    AreaModel feet = AreaModel.planar(0.3048);
    assertEquals(2 * 0.3048, GroundSampleDistance.alongColumns(rotatedFeet, 10, 10, feet), 1e-12);
    assertEquals(0.3048, GroundSampleDistance.alongRows(rotatedFeet, 10, 10, feet), 1e-12);
    // square degrees at 48 N: narrower than high by cos 48
    PixelToWorld lonLat = PixelToWorld.fromGdal(new double[] {15, 1e-5, 0, 47.8015, 0, -1e-5});
    double metresPerDegree = Math.PI * 6_371_008.8 / 180;
    AreaModel wgs84 = AreaModel.geodesicWgs84();
    assertEquals(
        1e-5 * metresPerDegree * Math.cos(Math.toRadians(48)),
        GroundSampleDistance.alongColumns(lonLat, 200, 150, wgs84),
        1e-12);
    assertEquals(
        1e-5 * metresPerDegree, GroundSampleDistance.alongRows(lonLat, 200, 150, wgs84), 1e-12);
  }
}
