package org.diffris.runtime.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Test fixture: a small CLIP-format byte-level BPE vocabulary learned from a generated corpus, written
 * as CLIP's {@code vocab.json} + {@code merges.txt} and as the equivalent HuggingFace
 * {@code tokenizer.json} (the shape of {@code openai/clip-vit-base-patch32}'s file).
 *
 * <p>The learner is the textbook one: start from the 256 byte symbols (the last symbol of each word
 * in its {@code "</w>"} form), repeatedly merge the most frequent adjacent pair (ties: smallest ids),
 * skipping a pair whose result is already a token so that every token has exactly one id. Ids follow
 * CLIP's layout: 256 byte symbols, their 256 end-of-word forms, one token per merge in merge order,
 * then {@code <|startoftext|>} and {@code <|endoftext|>}.
 */
public final class ClipBpeFixture {
  static final String CLIP_SPLIT_PATTERN =
      "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

  final List<String> tokens = new ArrayList<>();
  final List<String[]> merges = new ArrayList<>();

  private ClipBpeFixture() {}

  /** Learns up to {@code mergeCount} merges from the words of the given texts. */
  static ClipBpeFixture learn(List<String> trainingTexts, int mergeCount) {
    ClipBpeFixture fixture = new ClipBpeFixture();
    Map<String, Integer> ids = new HashMap<>();
    char[] alphabet = ByteLevelAlphabet.alphabetOrder();
    for (char c : alphabet) {
      fixture.add(String.valueOf(c), ids);
    }
    for (char c : alphabet) {
      fixture.add(c + ClipVocabulary.END_OF_WORD, ids);
    }
    Map<String, Integer> frequencies = new TreeMap<>();
    for (String text : trainingTexts) {
      for (String word : ClipTextSplitter.words(text)) {
        frequencies.merge(word, 1, Integer::sum);
      }
    }
    List<int[]> words = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (Map.Entry<String, Integer> e : frequencies.entrySet()) {
      byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
      int[] symbols = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        String symbol = String.valueOf(ByteLevelAlphabet.charOf(bytes[i] & 0xFF));
        symbols[i] = ids.get(i == bytes.length - 1 ? symbol + ClipVocabulary.END_OF_WORD : symbol);
      }
      words.add(symbols);
      counts.add(e.getValue());
    }
    Set<Long> refused = new HashSet<>();
    while (fixture.merges.size() < mergeCount) {
      Map<Long, Integer> pairCounts = new HashMap<>();
      for (int w = 0; w < words.size(); w++) {
        int[] s = words.get(w);
        for (int i = 0; i + 1 < s.length; i++) {
          pairCounts.merge(ClipVocabulary.pairKey(s[i], s[i + 1]), counts.get(w), Integer::sum);
        }
      }
      long best = -1;
      int bestCount = 1; // a pair seen once teaches nothing
      for (Map.Entry<Long, Integer> e : pairCounts.entrySet()) {
        long pair = e.getKey();
        int count = e.getValue();
        if (refused.contains(pair)) {
          continue;
        }
        if (count > bestCount || (count == bestCount && best >= 0 && pair < best)) {
          best = pair;
          bestCount = count;
        }
      }
      if (best < 0) {
        break;
      }
      String left = fixture.tokens.get((int) (best >>> 32));
      String right = fixture.tokens.get((int) best);
      if (ids.containsKey(left + right)) {
        refused.add(best);
        continue;
      }
      int merged = fixture.add(left + right, ids);
      fixture.merges.add(new String[] {left, right});
      int l = (int) (best >>> 32);
      int r = (int) best;
      for (int w = 0; w < words.size(); w++) {
        words.set(w, mergeAll(words.get(w), l, r, merged));
      }
    }
    fixture.add(ClipVocabulary.START_TOKEN, ids);
    fixture.add(ClipVocabulary.END_TOKEN, ids);
    return fixture;
  }

  /** A vocabulary with exactly the given merges ("left right" each), in CLIP's id layout. */
  public static ClipBpeFixture withMerges(String... merges) {
    ClipBpeFixture fixture = new ClipBpeFixture();
    Map<String, Integer> ids = new HashMap<>();
    char[] alphabet = ByteLevelAlphabet.alphabetOrder();
    for (char c : alphabet) {
      fixture.add(String.valueOf(c), ids);
    }
    for (char c : alphabet) {
      fixture.add(c + ClipVocabulary.END_OF_WORD, ids);
    }
    for (String merge : merges) {
      String[] pair = merge.split(" ");
      fixture.merges.add(pair);
      fixture.add(pair[0] + pair[1], ids);
    }
    fixture.add(ClipVocabulary.START_TOKEN, ids);
    fixture.add(ClipVocabulary.END_TOKEN, ids);
    return fixture;
  }

  /** Loads this fixture as our vocabulary, through the same parsing as real files. */
  ClipVocabulary toVocabulary() throws IOException {
    return ClipVocabulary.read(
        new java.io.ByteArrayInputStream(vocabJson().getBytes(StandardCharsets.UTF_8)),
            "vocab.json",
        new java.io.ByteArrayInputStream(mergesTxt().getBytes(StandardCharsets.UTF_8)),
            "merges.txt");
  }

  private int add(String token, Map<String, Integer> ids) {
    ids.put(token, tokens.size());
    tokens.add(token);
    return tokens.size() - 1;
  }

  private static int[] mergeAll(int[] s, int left, int right, int merged) {
    int[] out = null;
    int k = 0;
    for (int i = 0; i < s.length; i++) {
      if (i + 1 < s.length && s[i] == left && s[i + 1] == right) {
        if (out == null) {
          out = new int[s.length];
          System.arraycopy(s, 0, out, 0, i);
          k = i;
        }
        out[k++] = merged;
        i++;
      } else if (out != null) {
        out[k++] = s[i];
      }
    }
    return out == null ? s : java.util.Arrays.copyOf(out, k);
  }

  int startId() {
    return tokens.indexOf(ClipVocabulary.START_TOKEN);
  }

  int endId() {
    return tokens.indexOf(ClipVocabulary.END_TOKEN);
  }

  String vocabJson() {
    StringBuilder out = new StringBuilder("{");
    for (int id = 0; id < tokens.size(); id++) {
      out.append(id == 0 ? "" : ",").append(quote(tokens.get(id))).append(':').append(id);
    }
    return out.append('}').toString();
  }

  String mergesTxt() {
    StringBuilder out = new StringBuilder("#version: 0.2\n");
    for (String[] merge : merges) {
      out.append(merge[0]).append(' ').append(merge[1]).append('\n');
    }
    return out.toString();
  }

  /**
   * HuggingFace {@code tokenizer.json} for the same vocabulary: CLIP's normalizer, pre-tokenizer,
   * BPE model, RobertaProcessing post-processor and ByteLevel decoder; no truncation, no padding.
   */
  String tokenizerJson() {
    return tokenizerJson(false);
  }

  /**
   * As {@link #tokenizerJson()}; with {@code clipLength} the file also asks for truncation to 77
   * and padding to 77 with {@code <|endoftext|>}, as a bundle exporter may write it.
   */
  String tokenizerJson(boolean clipLength) {
    StringBuilder merged = new StringBuilder("[");
    for (int i = 0; i < merges.size(); i++) {
      merged.append(i == 0 ? "" : ",").append(quote(merges.get(i)[0] + " " + merges.get(i)[1]));
    }
    merged.append(']');
    String special =
        "{\"id\":%d,\"content\":%s,\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
            + "\"normalized\":true,\"special\":true}";
    String truncation =
        clipLength
            ? "{\"direction\":\"Right\",\"max_length\":77,\"strategy\":\"LongestFirst\",\"stride\":0}"
            : "null";
    String padding =
        clipLength
            ? "{\"strategy\":{\"Fixed\":77},\"direction\":\"Right\",\"pad_to_multiple_of\":null,"
                + "\"pad_id\":"
                + endId()
                + ",\"pad_type_id\":0,\"pad_token\":"
                + quote(ClipVocabulary.END_TOKEN)
                + "}"
            : "null";
    return "{\"version\":\"1.0\",\"truncation\":"
        + truncation
        + ",\"padding\":"
        + padding
        + ","
        + "\"added_tokens\":["
        + String.format(special, startId(), quote(ClipVocabulary.START_TOKEN))
        + ","
        + String.format(special, endId(), quote(ClipVocabulary.END_TOKEN))
        + "],"
        + "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":["
        + "{\"type\":\"NFC\"},"
        + "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"\\\\s+\"},\"content\":\" \"},"
        + "{\"type\":\"Lowercase\"}]},"
        + "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":["
        + "{\"type\":\"Split\",\"pattern\":{\"Regex\":"
        + quote(CLIP_SPLIT_PATTERN)
        + "},"
        + "\"behavior\":\"Removed\",\"invert\":true},"
        + "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,"
        + "\"use_regex\":false}]},"
        + "\"post_processor\":{\"type\":\"RobertaProcessing\","
        + "\"sep\":["
        + quote(ClipVocabulary.END_TOKEN)
        + ","
        + endId()
        + "],"
        + "\"cls\":["
        + quote(ClipVocabulary.START_TOKEN)
        + ","
        + startId()
        + "],"
        + "\"trim_offsets\":false,\"add_prefix_space\":false},"
        + "\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,"
        + "\"use_regex\":true},"
        + "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":"
        + quote(ClipVocabulary.END_TOKEN)
        + ",\"continuing_subword_prefix\":\"\","
        + "\"end_of_word_suffix\":\"</w>\",\"fuse_unk\":false,\"byte_fallback\":false,"
        + "\"vocab\":"
        + vocabJson()
        + ",\"merges\":"
        + merged
        + "}}";
  }

  /**
   * Writes vocab.json, merges.txt, tokenizer.json and tokenizer-clip-length.json (the same with
   * truncation and padding to 77) into a folder.
   */
  public void writeTo(Path folder) throws IOException {
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("vocab.json"), vocabJson(), StandardCharsets.UTF_8);
    Files.writeString(folder.resolve("merges.txt"), mergesTxt(), StandardCharsets.UTF_8);
    Files.writeString(folder.resolve("tokenizer.json"), tokenizerJson(), StandardCharsets.UTF_8);
    Files.writeString(
        folder.resolve("tokenizer-clip-length.json"), tokenizerJson(true), StandardCharsets.UTF_8);
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** A seeded English-ish training corpus with some accented, Greek, Cyrillic, CJK and emoji text. */
  static List<String> trainingCorpus(long seed, int sentences) {
    Random random = new Random(seed);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < sentences; i++) {
      StringBuilder s = new StringBuilder();
      int n = 3 + random.nextInt(10);
      for (int w = 0; w < n; w++) {
        s.append(w == 0 ? "" : " ").append(TextSamples.trainingWord(random));
      }
      texts.add(s.toString());
    }
    return texts;
  }
}
