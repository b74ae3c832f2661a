package org.diffris.vectorizer;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** A generated mask for property tests; {@code toString} draws it so failures are readable. */
record MaskCase(
    int width, int height, long seed, double density, boolean blobby, Connectivity connectivity) {

  byte[] mask() {
    return TestMasks.random(seed, width, height, density, blobby);
  }

  boolean eight() {
    return connectivity == Connectivity.EIGHT;
  }

  static Arbitrary<MaskCase> arbitrary(int maxSide) {
    return Combinators.combine(
            Arbitraries.integers().between(1, maxSide),
            Arbitraries.integers().between(1, maxSide),
            Arbitraries.longs(),
            Arbitraries.doubles().between(0.05, 0.95),
            Arbitraries.of(true, false),
            Arbitraries.of(Connectivity.class))
        .as(MaskCase::new);
  }

  @Override
  public String toString() {
    return width
        + "x"
        + height
        + " "
        + connectivity
        + " seed="
        + seed
        + "\n"
        + TestMasks.show(mask(), width, height);
  }
}
