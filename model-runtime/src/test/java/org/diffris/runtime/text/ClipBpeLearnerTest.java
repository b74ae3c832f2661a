package org.diffris.runtime.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The incremental learner gives exactly the merges of the fixture's recount-everything learner. */
class ClipBpeLearnerTest {
  @Test
  void sameMergesAsTheFixturesLearner() {
    List<String> texts = ClipBpeFixture.trainingCorpus(7, 3000);
    ClipBpeFixture reference = ClipBpeFixture.learn(texts, 1500);
    ClipBpeFixture learnt = ClipBpeLearner.learn(ClipBpeLearner.countWords(texts), 1500);
    assertTrue(reference.merges.size() >= 500, "merges: " + reference.merges.size());
    assertEquals(reference.mergesTxt(), learnt.mergesTxt());
    assertEquals(reference.vocabJson(), learnt.vocabJson());
  }

  @Test
  void sameMergesOnACorpusThatRunsOutOfPairs() {
    // Few distinct words: the learner runs out of pairs seen twice before 5,000 merges, and
    // pairs whose result is already a token ("a" + "b</w>" after "ab" + "</w>"...) are refused.
    List<String> texts =
        List.of("ab ab abab aab aba", "ba ba bab bba", "abc abc cab cab bca", "aaaa aaaa aaa aa");
    ClipBpeFixture reference = ClipBpeFixture.learn(texts, 5000);
    ClipBpeFixture learnt = ClipBpeLearner.learn(ClipBpeLearner.countWords(texts), 5000);
    assertTrue(reference.merges.size() < 5000);
    assertEquals(reference.mergesTxt(), learnt.mergesTxt());
  }
}
