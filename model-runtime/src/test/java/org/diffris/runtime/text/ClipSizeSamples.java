package org.diffris.runtime.text;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * The test strings of the CLIP-size comparison, about 6,000, seeded: lines of the corpus the
 * vocabulary was learnt from (code, docstrings, comments, as they are, indentation included),
 * remote-sensing referring expressions, numbers and units, the generated oracle corpus of {@link
 * TextSamples} (punctuation, contractions, accents, other scripts, emoji, odd white space and
 * control characters, special-token look-alikes), and long texts made of many corpus lines, which
 * CLIP truncates at 77 ids.
 */
final class ClipSizeSamples {
  static final String[] OBJECTS = {
    "car",
    "cars",
    "vehicle",
    "truck",
    "bus",
    "ship",
    "ships",
    "boat",
    "vessel",
    "harbor",
    "airplane",
    "aircraft",
    "runway",
    "storage tank",
    "oil tank",
    "building",
    "roof",
    "house",
    "warehouse",
    "road",
    "highway",
    "street",
    "bridge",
    "river",
    "lake",
    "pond",
    "swimming pool",
    "tennis court",
    "basketball court",
    "baseball diamond",
    "soccer field",
    "ground track field",
    "tree",
    "forest",
    "parking lot",
    "stadium",
    "chimney",
    "windmill",
    "wind turbine",
    "dam",
    "overpass",
    "roundabout",
    "train station",
    "railway",
    "golf course",
    "solar panel",
    "greenhouse",
    "container",
    "crane",
    "pier",
    "farmland",
    "meadow",
    "vineyard",
    "quarry",
    "expressway toll"
  };
  static final String[] ADJECTIVES = {
    "red",
    "white",
    "blue",
    "dark",
    "gray",
    "small",
    "large",
    "biggest",
    "smallest",
    "long",
    "round",
    "rectangular",
    "L-shaped",
    "parked",
    "moving",
    "leftmost",
    "rightmost",
    "northern",
    "southeast",
    "second",
    "third",
    "isolated",
    "densely packed",
    "half-built",
    "newly-paved"
  };
  static final String[] RELATIONS = {
    "on the left of",
    "to the right of",
    "next to",
    "near",
    "above",
    "below",
    "between",
    "behind",
    "in front of",
    "across from",
    "along",
    "inside",
    "surrounded by",
    "closest to",
    "far from",
    "north of",
    "at the bottom of",
    "in the upper-left corner of",
    "beside"
  };
  static final String[] DETERMINERS = {"the", "a", "all", "two", "three", "every", "the 2", "some"};

  private ClipSizeSamples() {}

  /** The strings: {@code corpusCount} corpus lines and about 3,500 others, in a seeded order. */
  static List<String> strings(List<String> corpusLines, long seed, int corpusCount) {
    Random random = new Random(seed);
    Set<String> texts = new LinkedHashSet<>();
    int wanted = Math.min(corpusCount, corpusLines.size());
    while (texts.size() < wanted) {
      texts.add(corpusLines.get(random.nextInt(corpusLines.size())));
    }
    for (int i = 0; i < 1000; i++) {
      texts.add(query(random));
    }
    for (int i = 0; i < 500; i++) {
      texts.add(numbers(random));
    }
    texts.addAll(TextSamples.oracleCorpus(seed, 1500));
    for (int i = 0; i < 300; i++) {
      StringBuilder s = new StringBuilder();
      int n = 10 + random.nextInt(50);
      for (int k = 0; k < n; k++) {
        s.append(k == 0 ? "" : random.nextBoolean() ? "\n" : " ")
            .append(corpusLines.get(random.nextInt(corpusLines.size())));
      }
      texts.add(s.toString());
    }
    return new ArrayList<>(texts);
  }

  /** A remote-sensing referring expression, in varied case and punctuation. */
  static String query(Random random) {
    StringBuilder s = new StringBuilder();
    s.append(TextSamples.pick(random, DETERMINERS)).append(' ');
    if (random.nextBoolean()) {
      s.append(TextSamples.pick(random, ADJECTIVES)).append(' ');
    }
    s.append(TextSamples.pick(random, OBJECTS));
    if (random.nextInt(3) > 0) {
      s.append(' ').append(TextSamples.pick(random, RELATIONS)).append(" the ");
      if (random.nextBoolean()) {
        s.append(TextSamples.pick(random, ADJECTIVES)).append(' ');
      }
      s.append(TextSamples.pick(random, OBJECTS));
    }
    if (random.nextInt(4) == 0) {
      boolean parenthesis = random.nextBoolean();
      s.append(parenthesis ? " (" : ", about ")
          .append(1 + random.nextInt(500))
          .append(random.nextBoolean() ? " m" : " m²")
          .append(parenthesis ? ")" : "");
    }
    String[] ends = {"", "", ".", "?", "!", " ...", ";"};
    s.append(TextSamples.pick(random, ends));
    switch (random.nextInt(5)) {
      case 0:
        return s.toString().toUpperCase(Locale.ROOT);
      case 1:
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
      default:
        return s.toString();
    }
  }

  /** Numbers as people and programs write them: decimals, units, dates, coordinates, codes. */
  static String numbers(Random random) {
    switch (random.nextInt(10)) {
      case 0:
        return String.format(
            Locale.ROOT,
            "%.6f, %.6f",
            random.nextDouble() * 180 - 90,
            random.nextDouble() * 360 - 180);
      case 1:
        return String.format(
            Locale.ROOT,
            "%d°%02d'%02d\"N %d°%02d'%02d\"E",
            random.nextInt(90),
            random.nextInt(60),
            random.nextInt(60),
            random.nextInt(180),
            random.nextInt(60),
            random.nextInt(60));
      case 2:
        return "EPSG:" + (2000 + random.nextInt(30000));
      case 3:
        return String.format(
            Locale.ROOT,
            "%,d m² at %.2f m/px",
            random.nextInt(10_000_000),
            0.1 + random.nextDouble() * 30);
      case 4:
        return String.format(
            Locale.ROOT,
            "%04d-%02d-%02dT%02d:%02d:%02dZ",
            1970 + random.nextInt(80),
            1 + random.nextInt(12),
            1 + random.nextInt(28),
            random.nextInt(24),
            random.nextInt(60),
            random.nextInt(60));
      case 5:
        return String.format(
            Locale.ROOT, "%.3e", random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
      case 6:
        return "0x" + Long.toHexString(random.nextLong());
      case 7:
        return "v"
            + random.nextInt(10)
            + "."
            + random.nextInt(30)
            + "."
            + random.nextInt(100)
            + "-rc"
            + random.nextInt(5);
      case 8:
        return Long.toString(random.nextLong());
      default:
        return random.nextInt(100)
            + "% of "
            + random.nextInt(1000)
            + " tiles ("
            + random.nextInt(10)
            + "/"
            + (10 + random.nextInt(10))
            + ")";
    }
  }
}
