package org.diffris.runtime.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded text generators for the tokenizer tests: referring expressions about aerial scenes, mixed
 * with punctuation, digits, contractions, accented and decomposed letters, Greek, Cyrillic, CJK,
 * Hangul, emoji (with modifiers, ZWJ sequences and flags), odd white space, control characters,
 * special-token look-alikes and texts far longer than 77 tokens.
 */
final class TextSamples {
  static final String[] ENGLISH =
      ("the a an of on in at to with and or near left right top bottom middle center red blue green"
              + " white black gray grey yellow orange brown dark light small large big tiny long short"
              + " car cars vehicle vehicles truck bus van ship ships boat boats harbor harbour airplane"
              + " airplanes plane aircraft runway airport storage tank tanks building buildings roof roofs"
              + " house houses road roads street bridge river lake pool pools tennis court courts"
              + " basketball baseball field soccer track tree trees forest grass parking lot stadium"
              + " chimney windmill dam overpass intersection roundabout train station golf course"
              + " second third first largest smallest closest farthest next between behind above below"
              + " image scene side corner edge part upper lower northern southern eastern western"
              + " rectangular round circular square shaped parked moving two three four five many several")
          .split(" ");
  static final String[] ACCENTED = {
    "café", "naïve", "façade", "Ærø", "straße", "élan", "résumé", "über", "São", "Paulo", "Kraków",
    "Łódź", "Ñandú", "Øresund", "Île", "Évry", "Dvořák", "Škoda", "İzmir", "ĞÜŞ", "Þórr"
  };
  static final String[] OTHER_SCRIPTS = {
    "Αθήνα", "ΟΔΟΣ", "σκάφος", "Москва", "дорога", "машина", "東京", "白色的车", "左边的建筑物", "飛行機", "港口",
    "くるま", "カタカナ", "자동차", "건물", "שלום", "مدينة", "नदी", "ถนน"
  };
  static final String[] EMOJI = {
    "🚗",
    "🏠",
    "✈️",
    "🚢",
    "🌳",
    "👍🏽",
    "👨‍👩‍👧",
    "🇫🇷",
    "❤️",
    "🔥🔥",
    "😀",
    "🛰️",
    "★",
    "→",
    "©",
    "°C"
  };
  static final String[] PUNCTUATION = {
    ".", ",", "!", "?", "...", "?!", "!!!", ";", ":", "-", "--", "(", ")", "[", "]", "\"", "'", "/",
    "_", "#", "@", "&", "&amp;", "<b>", "%", "+", "=", "*", "|", "~", "`", "^", "$", "€", "£", "«",
    "»", "“", "”", "—", "…", "・", "。", "，", "！"
  };
  static final String[] CONTRACTIONS = {
    "it's",
    "don't",
    "we're",
    "they've",
    "i'm",
    "we'll",
    "he'd",
    "IT'S",
    "Don'T",
    "car's",
    "ships'",
    "'s",
    "'ll",
    "can't",
    "o'clock",
    "rock'n'roll",
    "'quoted'"
  };
  static final String[] WHITE_SPACE = {
    " ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u3000", "\u2003", "\u2028", "\u000B", "\u0085",
    " \t \n "
  };
  static final String[] ODDITIES = {
    "e\u0301",
    "A\u030A",
    "\u212B",
    "\u212A",
    "\u2126",
    "\uFB01",
    "ǅ",
    "ẞ",
    "İ",
    "ΣΑΣ",
    "ΌΣΟΣ",
    "\u0000",
    "\u0007",
    "\u001C",
    "\u200B",
    "\u00AD",
    "\uFEFF",
    "𝒜𝒷𝒸",
    "𠀀",
    "Ⅻ",
    "½",
    "²",
    "٣",
    "<|endoftext|>",
    "<|startoftext|>",
    "<<|endoftext|>>",
    "<|ENDOFTEXT|>",
    "<|endoftext",
    "a<|startoftext|>b",
    "<|EndOfText|>x",
    "ſ",
    "'ſ"
  };

  private TextSamples() {}

  static String pick(Random random, String[] words) {
    return words[random.nextInt(words.length)];
  }

  /** A random syllable word, so that the vocabulary does not cover every word whole. */
  static String syllables(Random random) {
    String[] parts = {
      "ka", "ro", "tan", "ve", "li", "mu", "ster", "on", "qua", "pri", "zel", "ght"
    };
    StringBuilder word = new StringBuilder();
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      word.append(pick(random, parts));
    }
    return word.toString();
  }

  static String casing(Random random, String word) {
    switch (random.nextInt(6)) {
      case 0:
        return word.toUpperCase(java.util.Locale.ROOT);
      case 1:
        return word.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1);
      default:
        return word;
    }
  }

  static String trainingWord(Random random) {
    int kind = random.nextInt(100);
    if (kind < 65) {
      return casing(random, pick(random, ENGLISH));
    } else if (kind < 72) {
      return syllables(random);
    } else if (kind < 78) {
      return pick(random, ACCENTED);
    } else if (kind < 84) {
      return pick(random, OTHER_SCRIPTS);
    } else if (kind < 88) {
      return pick(random, EMOJI);
    } else if (kind < 94) {
      return pick(random, PUNCTUATION);
    } else if (kind < 97) {
      return pick(random, CONTRACTIONS);
    } else {
      return Integer.toString(random.nextInt(2000));
    }
  }

  /** One piece of a test text: any of the kinds above, or a random code point run. */
  static String testPiece(Random random) {
    int kind = random.nextInt(100);
    if (kind < 40) {
      return casing(random, pick(random, ENGLISH));
    } else if (kind < 46) {
      return casing(random, syllables(random));
    } else if (kind < 52) {
      return casing(random, pick(random, ACCENTED));
    } else if (kind < 58) {
      return pick(random, OTHER_SCRIPTS);
    } else if (kind < 63) {
      return pick(random, EMOJI);
    } else if (kind < 73) {
      return pick(random, PUNCTUATION);
    } else if (kind < 78) {
      return pick(random, CONTRACTIONS);
    } else if (kind < 84) {
      return number(random);
    } else if (kind < 89) {
      return pick(random, ODDITIES);
    } else if (kind < 94) {
      return randomCodePoints(random);
    } else {
      return pick(random, WHITE_SPACE);
    }
  }

  static String number(Random random) {
    switch (random.nextInt(5)) {
      case 0:
        return Integer.toString(random.nextInt(100));
      case 1:
        return String.format("%,d", random.nextInt(1_000_000));
      case 2:
        return String.format(java.util.Locale.ROOT, "%.1fm", random.nextDouble() * 100);
      case 3:
        return "2024-0" + (1 + random.nextInt(9)) + "-1" + random.nextInt(10);
      default:
        return "#" + random.nextInt(1000);
    }
  }

  /** 1-6 code points drawn from many Unicode blocks (all assigned before Unicode 13). */
  static String randomCodePoints(Random random) {
    int[][] ranges = {
      {0x21, 0x7E}, {0xA1, 0x17F}, {0x370, 0x3FF}, {0x400, 0x4FF}, {0x5D0, 0x5EA},
      {0x620, 0x64A}, {0x905, 0x939}, {0xE01, 0xE30}, {0x3041, 0x3096}, {0x30A1, 0x30FA},
      {0x4E00, 0x9FA5}, {0xAC00, 0xD7A3}, {0x2190, 0x21FF}, {0x2200, 0x22FF}, {0x1F600, 0x1F64F},
      {0x1F300, 0x1F5FF}, {0x1D400, 0x1D4FF}, {0xFF01, 0xFF5E}
    };
    StringBuilder s = new StringBuilder();
    int n = 1 + random.nextInt(6);
    for (int i = 0; i < n; i++) {
      int[] range = ranges[random.nextInt(ranges.length)];
      int cp = range[0] + random.nextInt(range[1] - range[0] + 1);
      if (Character.isDefined(cp)) {
        s.appendCodePoint(cp);
      }
    }
    return s.toString();
  }

  /** The oracle corpus: {@code count} seeded texts, about one in ten longer than 77 tokens. */
  static List<String> oracleCorpus(long seed, int count) {
    Random random = new Random(seed);
    List<String> texts = new ArrayList<>();
    texts.add("");
    texts.add("   ");
    texts.add("a");
    texts.add("A red car.");
    texts.add("the storage tank on the left");
    for (String s : ODDITIES) {
      texts.add(s);
      texts.add("x " + s + " y");
    }
    texts.add("a".repeat(500));
    texts.add("ab".repeat(300) + " " + "🚗".repeat(100));
    texts.add("1234567890".repeat(20));
    while (texts.size() < count) {
      boolean longText = random.nextInt(10) == 0;
      int pieces = longText ? 60 + random.nextInt(250) : 1 + random.nextInt(14);
      StringBuilder s = new StringBuilder();
      if (random.nextInt(8) == 0) {
        s.append(pick(random, WHITE_SPACE));
      }
      for (int i = 0; i < pieces; i++) {
        String piece = testPiece(random);
        // Glue some pieces together so that words meet punctuation, digits and scripts directly.
        s.append(i == 0 || random.nextInt(4) == 0 ? "" : " ").append(piece);
      }
      texts.add(s.toString());
    }
    return texts;
  }
}
