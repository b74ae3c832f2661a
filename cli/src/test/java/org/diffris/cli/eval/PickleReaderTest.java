package org.diffris.cli.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.diffris.cli.InputException;
import org.junit.jupiter.api.Test;

/**
 * The pickle reader on fixed byte strings. The three encodings of {@link #REFS_P0}, {@link
 * #REFS_P2} and {@link #REFS_P4} were written by Python 3.11's {@code pickle.dumps(obj, protocol)}
 * for {@code obj = [{'ref_id': 7, 'split': 'test', 'sentences': [{'raw': 'the red car',
 * 'sent_id': 300}], 'big': 2**70, 'neg': -5, 'f': 0.5, 't': (1, 'a'), 'ok': True, 'none':
 * None}]}; the Python 2 style strings (opcodes S and U) are written by hand.
 */
class PickleReaderTest {
  static final String REFS_P0 =
      "286c70300a286470310a567265665f69640a70320a49370a735673706c69740a70330a56746573740a70340a"
          + "735673656e74656e6365730a70350a286c70360a286470370a567261770a70380a5674686520726564"
          + "206361720a70390a735673656e745f69640a7031300a493330300a736173566269670a7031310a4c31"
          + "3138303539313632303731373431313330333432344c0a73566e65670a7031320a492d350a7356660a"
          + "7031330a46302e350a7356740a7031340a2849310a56610a7031350a747031360a73566f6b0a703137"
          + "0a4930310a73566e6f6e650a7031380a4e73612e";
  static final String REFS_P2 =
      "80025d71007d71012858060000007265665f696471024b07580500000073706c69747103580400000074"
          + "6573747104580900000073656e74656e63657371055d71067d71072858030000007261777108580b00"
          + "000074686520726564206361727109580700000073656e745f6964710a4d2c01756158030000006269"
          + "67710b8a0900000000000000004058030000006e6567710c4afbffffff580100000066710d473fe000"
          + "0000000000580100000074710e4b01580100000061710f86711058020000006f6b71118858040000006e"
          + "6f6e6571124e75612e";
  static final String REFS_P4 =
      "80049599000000000000005d947d94288c067265665f6964944b078c0573706c6974948c0474657374948c"
          + "0973656e74656e636573945d947d94288c03726177948c0b7468652072656420636172948c0773656e"
          + "745f6964944d2c0175618c03626967948a090000000000000000408c036e6567944afbffffff8c0166"
          + "94473fe00000000000008c0174944b018c01619486948c026f6b94888c046e6f6e65944e75612e";

  private static Object parse(String hex) throws InputException {
    return PickleReader.parse(HexFormat.of().parseHex(hex), "refs(unc).p");
  }

  @Test
  void protocolsZeroTwoAndFourGiveTheSameRefs() throws InputException {
    for (String hex : new String[] {REFS_P0, REFS_P2, REFS_P4}) {
      List<?> refs = (List<?>) parse(hex);
      assertEquals(1, refs.size());
      Map<?, ?> ref = (Map<?, ?>) refs.get(0);
      assertEquals(
          List.of("ref_id", "split", "sentences", "big", "neg", "f", "t", "ok", "none"),
          List.copyOf(ref.keySet()));
      assertEquals(7L, ref.get("ref_id"));
      assertEquals("test", ref.get("split"));
      Map<?, ?> sentence = (Map<?, ?>) ((List<?>) ref.get("sentences")).get(0);
      assertEquals("the red car", sentence.get("raw"));
      assertEquals(300L, sentence.get("sent_id"));
      assertEquals(BigInteger.TWO.pow(70), ref.get("big"));
      assertEquals(-5L, ref.get("neg"));
      assertEquals(0.5, ref.get("f"));
      assertEquals(List.of(1L, "a"), ref.get("t"));
      assertEquals(Boolean.TRUE, ref.get("ok"));
      assertTrue(ref.containsKey("none") && ref.get("none") == null);
    }
  }

  @Test
  void python2ByteStringsAndTheMemo() throws InputException {
    // protocol 2: [ 'abc' (SHORT_BINSTRING, memo 1), memo 1 again ] through MARK ... APPENDS
    assertEquals(List.of("abc", "abc"), parse("80025d710028550361626371016801652e"));
    // protocol 0: ["it's", "it's"] with a quoted STRING and an escape
    byte[] p0 = "(lp0\nS'it\\'s'\np1\nag1\na.".getBytes(StandardCharsets.US_ASCII);
    assertEquals(List.of("it's", "it's"), PickleReader.parse(p0, "x.p"));
    // protocol 0 UNICODE with a \\u escape: u'caf\u00e9'
    byte[] u = "Vcaf\\u00e9\np0\n.".getBytes(StandardCharsets.US_ASCII);
    assertEquals("caf\u00e9", PickleReader.parse(u, "x.p"));
  }

  @Test
  void anObjectReferenceIsRefusedNamingTheFile() {
    // protocol 0: GLOBAL 'pathlib PosixPath' ...
    byte[] global = "cpathlib\nPosixPath\n.".getBytes(StandardCharsets.US_ASCII);
    InputException e =
        assertThrows(InputException.class, () -> PickleReader.parse(global, "rrsisd/refs(unc).p"));
    assertTrue(e.getMessage().startsWith("rrsisd/refs(unc).p: opcode GLOBAL"), e.getMessage());
    assertTrue(e.getMessage().contains("at byte 0"), e.getMessage());
  }

  @Test
  void unknownOpcodesAndTruncationAreErrors() {
    InputException unknown = assertThrows(InputException.class, () -> parse("8002ff2e"));
    assertTrue(unknown.getMessage().contains("opcode 0xff"), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("at byte 2"), unknown.getMessage());
    String cut = REFS_P2.substring(0, REFS_P2.length() - 10);
    InputException truncated = assertThrows(InputException.class, () -> parse(cut));
    assertTrue(truncated.getMessage().startsWith("refs(unc).p: "), truncated.getMessage());
    InputException newer = assertThrows(InputException.class, () -> parse("80064e2e"));
    assertTrue(newer.getMessage().contains("protocol 6"), newer.getMessage());
  }

  @Test
  void bytesComeBackAsBytes() throws InputException {
    // protocol 3: SHORT_BINBYTES b'\x01\x02'
    assertArrayEquals(new byte[] {1, 2}, (byte[]) parse("800343020102942e".replace("94", "")));
  }
}
