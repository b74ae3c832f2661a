package org.diffris.runtime.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffris.runtime.BundleFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and validation of vocab.json + merges.txt: every error names the file and the place. */
class ClipVocabularyTest {
  private static final ClipBpeFixture FIXTURE = ClipBpeFixture.withMerges("c a", "ca r</w>");

  private static ClipVocabulary read(String vocabJson, String mergesTxt) throws IOException {
    return read(vocabJson, mergesTxt.getBytes(StandardCharsets.UTF_8));
  }

  private static ClipVocabulary read(String vocabJson, byte[] mergesTxt) throws IOException {
    return ClipVocabulary.read(
        new ByteArrayInputStream(vocabJson.getBytes(StandardCharsets.UTF_8)), "vocab.json",
        new ByteArrayInputStream(mergesTxt), "merges.txt");
  }

  private static String failure(String vocabJson, String mergesTxt) {
    BundleFileException e =
        assertThrows(BundleFileException.class, () -> read(vocabJson, mergesTxt));
    return e.getMessage();
  }

  @Test
  void loadsAWellFormedPair(@TempDir Path folder) throws IOException {
    FIXTURE.writeTo(folder);
    ClipVocabulary v = ClipVocabulary.load(folder);
    assertEquals(512 + 2 + 2, v.size());
    assertEquals(2, v.mergeCount());
    assertEquals(514, v.startId());
    assertEquals(515, v.endId());
    assertEquals("car</w>", v.tokenOf(v.idOf("car</w>")));
    assertEquals(-1, v.idOf("nope"));
  }

  @Test
  void acceptsWindowsLineEndsNoHeaderAndTrailingBlankLines() throws IOException {
    ClipVocabulary v = read(FIXTURE.vocabJson(), "c a\r\nca r</w>\r\n\r\n\n");
    assertEquals(2, v.mergeCount());
  }

  @Test
  void namesAMissingFile(@TempDir Path folder) throws IOException {
    FIXTURE.writeTo(folder);
    Files.delete(folder.resolve("merges.txt"));
    BundleFileException e =
        assertThrows(BundleFileException.class, () -> ClipVocabulary.load(folder, "tokenizer/"));
    assertEquals("tokenizer/merges.txt", e.file());
    assertTrue(e.getMessage().startsWith("tokenizer/merges.txt: file not found"), e.getMessage());
  }

  @Test
  void namesTheLineAndColumnOfBrokenJson() {
    String message = failure("{\"a\": 1,\n \"b\" 2}", "");
    assertTrue(message.startsWith("vocab.json: line 2, column 6: expected ':'"), message);
  }

  @Test
  void rejectsJsonThatIsNotATokenTable() {
    assertTrue(failure("[1, 2]", "").contains("expected a JSON object"));
  }

  @Test
  void rejectsBadIds() {
    String vocab = FIXTURE.vocabJson();
    String message = failure(vocab.replace("\"car</w>\":513", "\"car</w>\":\"513\""), "");
    assertTrue(
        message.contains("token \"car</w>\" has id 513; ids must be the integers 0..515"), message);
    message = failure(vocab.replace("\"car</w>\":513", "\"car</w>\":-1"), "");
    assertTrue(message.contains("has id -1"), message);
    message = failure(vocab.replace("\"car</w>\":513", "\"car</w>\":512"), "");
    assertTrue(message.contains("id 512 is used by both"), message);
  }

  @Test
  void rejectsAVocabularyWithoutEveryByteSymbol() {
    String message = failure(FIXTURE.vocabJson().replace("\"Ġ</w>\":", "\"Ġ</x>\":"), "");
    assertTrue(
        message.contains("missing byte symbol \"Ġ</w>\" (byte 0x20 at the end of a word)"),
        message);
  }

  @Test
  void rejectsAVocabularyWithoutSpecialTokens() {
    String message = failure(FIXTURE.vocabJson().replace("<|endoftext|>", "<|end|>"), "");
    assertTrue(message.endsWith("missing special token \"<|endoftext|>\""), message);
  }

  @Test
  void namesTheLineOfABadMerge() {
    String vocab = FIXTURE.vocabJson();
    assertEquals(
        "merges.txt: line 3: expected two tokens separated by one space, got \"car\"",
        failure(vocab, "#version: 0.2\nc a\ncar\n"));
    assertEquals(
        "merges.txt: line 2: token \"zz\" is not in the vocabulary", failure(vocab, "c a\nzz a\n"));
    assertEquals(
        "merges.txt: line 2: token \"ar</w>\" is not in the vocabulary",
        failure(vocab, "c a\na r</w>\n"));
    assertEquals(
        "merges.txt: line 3: merge \"c a\" repeats line 1", failure(vocab, "c a\nca r</w>\nc a\n"));
    assertTrue(
        failure(vocab, "c a\n\nca r</w>\n").startsWith("merges.txt: line 2: expected two tokens"));
  }

  /** A merges.txt cut after a whole line parses; the tokens no rule makes give it away. */
  @Test
  void aMergesFileCutAtALineBoundaryIsRefused() {
    String vocab = FIXTURE.vocabJson();
    assertEquals(
        "merges.txt: has 1 merges but vocab.json has 2 tokens that only merges make (1 made by"
            + " none, the first \"car</w>\", id 513): the file looks cut short; copy it again"
            + " from the tokenizer it came from",
        failure(vocab, "#version: 0.2\nc a\n"));
    assertTrue(failure(vocab, "").contains("has 0 merges but vocab.json has 2 tokens"));
  }

  /** The shipped tokenizer, cut at every tenth line boundary, never loads. */
  @Test
  void theShippedTokenizerCutAnywhereIsRefused() throws IOException {
    Path tokenizer = Path.of("..", "sample-data", "models", "diffris-tiny", "tokenizer");
    String vocab = Files.readString(tokenizer.resolve("vocab.json"));
    java.util.List<String> lines = Files.readAllLines(tokenizer.resolve("merges.txt"));
    assertEquals(lines.size() - 1, read(vocab, String.join("\n", lines) + "\n").mergeCount());
    for (int keep = 0; keep < lines.size(); keep += 10) {
      String cut = String.join("\n", lines.subList(0, keep)) + "\n";
      assertTrue(failure(vocab, cut).contains("the file looks cut short"), "kept " + keep);
    }
  }

  @Test
  void namesTheLineOfInvalidUtf8() {
    byte[] merges = {'c', ' ', 'a', '\n', 'c', (byte) 0xFF, '\n'};
    BundleFileException e =
        assertThrows(BundleFileException.class, () -> read(FIXTURE.vocabJson(), merges));
    assertEquals("merges.txt: line 2, column 2: not valid UTF-8 text (byte 0xFF)", e.getMessage());
  }
}
