package org.diffris.runtime.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ByteLevelAlphabetTest {
  @Test
  void everyByteHasItsOwnPrintableCharacter() {
    Set<Character> seen = new HashSet<>();
    for (int b = 0; b < 256; b++) {
      char c = ByteLevelAlphabet.charOf(b);
      seen.add(c);
      assertFalse(Character.isWhitespace(c) || Character.isISOControl(c), "byte " + b);
    }
    assertEquals(256, seen.size());
  }

  @Test
  void matchesGpt2Table() {
    assertEquals('a', ByteLevelAlphabet.charOf('a'));
    assertEquals('\u0100', ByteLevelAlphabet.charOf(0));
    assertEquals('\u0120', ByteLevelAlphabet.charOf(' ')); // "Ġ"
    assertEquals('\u010A', ByteLevelAlphabet.charOf('\n')); // "Ċ"
    assertEquals('\u0143', ByteLevelAlphabet.charOf(0xAD)); // soft hyphen, the last shifted byte
  }

  @Test
  void vocabularyOrderPutsPrintableBytesFirst() {
    char[] order = ByteLevelAlphabet.alphabetOrder();
    assertEquals('!', order[0]);
    assertEquals('a', order[64]); // CLIP's id of "a"
    assertEquals('\u00FF', order[187]);
    assertEquals('\u0100', order[188]);
    assertEquals('\u0143', order[255]);
  }
}
