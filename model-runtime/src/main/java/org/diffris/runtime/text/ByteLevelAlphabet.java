package org.diffris.runtime.text;

/**
 * GPT-2's reversible byte-to-character table, used by CLIP's byte-level BPE.
 *
 * <p>Every byte value 0..255 gets one printable, non-whitespace character: the bytes that are
 * already printable Latin-1 ({@code '!'..'~'}, {@code '¡'..'¬'}, {@code '®'..'ÿ'}) stand for
 * themselves; the remaining 68 bytes (controls, space, U+007F..U+00A0, the soft hyphen) take the
 * characters U+0100, U+0101, ... in increasing byte order. So a space becomes {@code 'Ġ'} (U+0120).
 *
 * <p>{@link #alphabetOrder()} gives the 256 characters in the order the CLIP vocabulary lists them
 * (printable ones first, then the shifted ones), which fixes ids 0..255 of a CLIP-style vocabulary.
 */
public final class ByteLevelAlphabet {
  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final char[] ALPHABET_ORDER = new char[256];

  static {
    int next = 0;
    for (int b = 0; b < 256; b++) {
      if (isSelfMapped(b)) {
        BYTE_TO_CHAR[b] = (char) b;
        ALPHABET_ORDER[next++] = (char) b;
      }
    }
    int shifted = 0;
    for (int b = 0; b < 256; b++) {
      if (!isSelfMapped(b)) {
        BYTE_TO_CHAR[b] = (char) (256 + shifted++);
        ALPHABET_ORDER[next++] = BYTE_TO_CHAR[b];
      }
    }
  }

  private ByteLevelAlphabet() {}

  private static boolean isSelfMapped(int b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  }

  /** The character standing for one byte (0..255). */
  public static char charOf(int unsignedByte) {
    return BYTE_TO_CHAR[unsignedByte];
  }

  /** The 256 byte characters in CLIP vocabulary order (a fresh copy). */
  public static char[] alphabetOrder() {
    return ALPHABET_ORDER.clone();
  }
}
