package org.diffris.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.diffris.runtime.text.ClipBpeFixture;
import org.diffris.runtime.text.ClipTokenizer;
import org.diffris.runtime.text.TokenizedText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundle loading and validation with a hand-written model.json and placeholder ONNX files. */
class ModelBundleTest {
  @TempDir Path temp;

  private static String validDescription() throws IOException {
    try (InputStream in = ModelBundleTest.class.getResourceAsStream("model.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A bundle folder with the given model.json, a tiny tokenizer and placeholder graphs. */
  private Path bundle(String modelJson) throws IOException {
    Path folder = Files.createDirectories(temp.resolve("bundle"));
    Files.writeString(folder.resolve("model.json"), modelJson);
    Files.write(folder.resolve("text_encoder.onnx"), new byte[] {1, 2, 3});
    Files.write(folder.resolve("segmenter.onnx"), new byte[] {4, 5});
    Path tokenizer = folder.resolve("tokenizer");
    ClipBpeFixture.withMerges("c a", "ca r</w>").writeTo(tokenizer);
    Files.delete(tokenizer.resolve("tokenizer.json"));
    Files.delete(tokenizer.resolve("tokenizer-clip-length.json"));
    return folder;
  }

  private String failure(String modelJson) throws IOException {
    Path folder = bundle(modelJson);
    return assertThrows(BundleFileException.class, () -> ModelBundle.open(folder)).getMessage();
  }

  private static Path zip(Path folder, Path zip, String prefix) throws IOException {
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(out);
        Stream<Path> files = Files.walk(folder)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        z.putNextEntry(
            new ZipEntry(prefix + folder.relativize(file).toString().replace('\\', '/')));
        z.write(Files.readAllBytes(file));
        z.closeEntry();
      }
    }
    return zip;
  }

  @Test
  void opensAValidFolder() throws IOException {
    ModelBundle bundle = ModelBundle.open(bundle(validDescription()));
    ModelDescription d = bundle.description();
    assertEquals("test-bundle", d.name());
    assertEquals(64, d.image().size());
    assertArrayEquals(new double[] {0.229, 0.224, 0.225}, d.image().std());
    assertEquals(0.5, d.image().gsdMetres());
    assertEquals(new ModelDescription.Text("clip-bpe", 77, 514, 515, 515), d.text());
    assertEquals(new ModelDescription.Output(1, "logits"), d.output());
    assertEquals(17, d.opset());
    assertNull(d.image().bandOrder()); // not said: the runtime assumes RGB
    assertNull(d.image().radiometry());
    TokenizedText car = bundle.tokenizer().encode("Car");
    assertEquals(3, car.length());
    assertEquals(515, car.ids()[76]);
    assertArrayEquals(new byte[] {4, 5}, bundle.read(ModelBundle.SEGMENTER_FILE));
    assertTrue(bundle.pathOf(ModelBundle.TEXT_ENCODER_FILE).isPresent());
  }

  @Test
  void contentDigestIsTheFilesInNameOrderWhereverTheBundleLies() throws Exception {
    Path folder = bundle(validDescription());
    // The documented rule, computed here file by file: name, 0, 8-byte length, bytes.
    java.security.MessageDigest expected = java.security.MessageDigest.getInstance("SHA-256");
    java.util.List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files =
          walk.filter(Files::isRegularFile)
              .sorted(
                  java.util.Comparator.comparing(
                      f -> folder.relativize(f).toString().replace('\\', '/')))
              .toList();
    }
    assertEquals(5, files.size()); // model.json, two graphs, vocab.json, merges.txt
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      expected.update(
          folder.relativize(file).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
      expected.update((byte) 0);
      expected.update(java.nio.ByteBuffer.allocate(8).putLong(bytes.length).array());
      expected.update(bytes);
    }
    String digest = java.util.HexFormat.of().formatHex(expected.digest());
    assertEquals(digest, ModelBundle.open(folder).contentSha256());
    for (String prefix : new String[] {"", "diffris-test/"}) {
      Path zip = zip(folder, temp.resolve("d" + prefix.length() + ".zip"), prefix);
      assertEquals(digest, ModelBundle.open(zip).contentSha256());
    }
    Files.write(folder.resolve("segmenter.onnx"), new byte[] {4, 6});
    assertFalse(digest.equals(ModelBundle.open(folder).contentSha256()));
  }

  @Test
  void opensZipsWithFilesAtTheTopOrInOneFolder() throws IOException {
    Path folder = bundle(validDescription());
    for (String prefix : new String[] {"", "diffris-test/"}) {
      Path zip = zip(folder, temp.resolve("b" + prefix.length() + ".zip"), prefix);
      ModelBundle bundle = ModelBundle.open(zip);
      assertEquals("test-bundle", bundle.description().name());
      assertArrayEquals(new byte[] {1, 2, 3}, bundle.read(ModelBundle.TEXT_ENCODER_FILE));
      assertTrue(bundle.pathOf(ModelBundle.TEXT_ENCODER_FILE).isEmpty());
      assertEquals(515, ((ClipTokenizer) bundle.tokenizer()).vocabulary().endId());
    }
  }

  @Test
  void namesTheWrongField() throws IOException {
    String valid = validDescription();
    assertEquals(
        "model.json: field image.mean must be an array of 3 numbers (one per channel, channels = 3),"
            + " got an array of 2",
        failure(valid.replace("[0.485, 0.456, 0.406]", "[0.485, 0.456]")));
    assertEquals(
        "model.json: field image.std[1] must be a number above 0 and at most 1.0E9, got 0",
        failure(valid.replace("0.224", "0")));
    assertEquals(
        "model.json: field text.tokenizer is \"sentencepiece\"; accepted: clip-bpe, wordpiece",
        failure(valid.replace("\"clip-bpe\"", "\"sentencepiece\"")));
    assertEquals(
        "model.json: field text.max_length must be an integer from 2 to 4096, got \"77\"",
        failure(valid.replace("\"max_length\": 77", "\"max_length\": \"77\"")));
    assertEquals(
        "model.json: field threshold must be a number from 0.0 to 1.0, got 1.5",
        failure(valid.replace("\"threshold\": 0.5", "\"threshold\": 1.5")));
    assertEquals(
        "model.json: field name is missing; expected a non-empty string",
        failure(valid.replace("\"name\": \"test-bundle\",", "")));
    assertEquals(
        "model.json: field output.stride is 3, which does not divide image.size 64",
        failure(valid.replace("\"stride\": 1", "\"stride\": 3")));
    assertEquals(
        "model.json: field onnx must be an object, got 17",
        failure(valid.replace("{\"opset\": 17}", "17")));
    assertEquals(
        "model.json: field image.band_order is 'RGBA': give one of R, G, B, N per channel (3),"
            + " e.g. RGB",
        failure(valid.replace("\"gsd_m\"", "\"band_order\": \"RGBA\", \"gsd_m\"")));
  }

  @Test
  void readsWhatTheModelWasTrainedOn() throws IOException {
    String described =
        validDescription()
            .replace(
                "\"gsd_m\"",
                "\"band_order\": \"BGR\", \"radiometry\": \"8-bit colours\", \"gsd_m\"");
    ModelDescription d = ModelBundle.open(bundle(described)).description();
    assertEquals("BGR", d.image().bandOrder());
    assertEquals("8-bit colours", d.image().radiometry());
  }

  @Test
  void aModelWithoutATrainingGsdRunsAtTheRastersOwn() throws IOException {
    String valid = validDescription();
    ModelDescription d =
        ModelBundle.open(bundle(valid.replace("\"gsd_m\": 0.5", "\"gsd_m\": \"none\"")))
            .description();
    assertFalse(d.image().hasGsd());
    assertEquals(0, d.image().gsdMetres());
    assertTrue(ModelBundle.open(bundle(valid)).description().image().hasGsd());
    assertEquals(
        "model.json: field image.gsd_m is \"unknown\"; accepted are a positive number of metres"
            + " per pixel or \"none\"",
        failure(valid.replace("\"gsd_m\": 0.5", "\"gsd_m\": \"unknown\"")));
    assertEquals(
        "model.json: field image.gsd_m must be a number above 0 and at most 1000000.0, got 0",
        failure(valid.replace("\"gsd_m\": 0.5", "\"gsd_m\": 0")));
  }

  @Test
  void describesItsArchitectureAndGraphFilesWithExternalWeights() throws IOException {
    String described =
        validDescription()
            .replace(
                "\"name\": \"test-bundle\",",
                "\"name\": \"test-bundle\", \"architecture\": {\"backbone\": \"sd15\","
                    + " \"backbone_size\": \"full\", \"backbone_weights\": \"v1-5.safetensors\"},");
    Path folder = bundle(described);
    Files.write(folder.resolve("segmenter.onnx.data"), new byte[2500]);
    ModelBundle bundle = ModelBundle.open(folder);
    assertEquals("sd15 (full), weights v1-5.safetensors", bundle.description().architecture());
    assertEquals(
        "text_encoder.onnx 3 B, segmenter.onnx 2 B + segmenter.onnx.data 2.5 kB",
        bundle.graphFiles());
    assertNull(ModelBundle.open(bundle(validDescription())).description().architecture());
  }

  @Test
  void refusesAZipWhoseGraphsKeepTheirWeightsOutside() throws IOException {
    Path folder = bundle(validDescription());
    Files.write(folder.resolve("segmenter.onnx.data"), new byte[16]);
    Path zip = zip(folder, temp.resolve("external.zip"), "big/");
    BundleFileException e = assertThrows(BundleFileException.class, () -> ModelBundle.open(zip));
    assertTrue(e.getMessage().startsWith("segmenter.onnx.data: "), e.getMessage());
    assertTrue(e.getMessage().contains("unzip " + zip), e.getMessage());
  }

  @Test
  void checksTokenIdsAgainstTheVocabulary() throws IOException {
    String valid = validDescription();
    assertEquals(
        "model.json: field text.eos is 7 but tokenizer/vocab.json gives <|endoftext|> the id 515",
        failure(valid.replace("\"eos\": 515", "\"eos\": 7")));
    assertEquals(
        "model.json: field text.pad is 516, outside tokenizer/vocab.json (ids 0..515)",
        failure(valid.replace("\"pad\": 515", "\"pad\": 516")));
  }

  @Test
  void namesBrokenJsonAndMissingFiles() throws IOException {
    assertEquals(
        "model.json: line 2, column 3: expected a quoted member name", failure("{\n  name: 1}"));
    Path folder = bundle(validDescription());
    Files.delete(folder.resolve("segmenter.onnx"));
    BundleFileException missing =
        assertThrows(BundleFileException.class, () -> ModelBundle.open(folder));
    assertEquals("segmenter.onnx", missing.file());
    Files.write(folder.resolve("segmenter.onnx"), new byte[] {0});
    Files.writeString(folder.resolve("tokenizer/merges.txt"), "c a\nc x\n");
    assertEquals(
        "tokenizer/merges.txt: line 2: token \"cx\" is not in the vocabulary",
        assertThrows(BundleFileException.class, () -> ModelBundle.open(folder)).getMessage());
  }

  @Test
  void rejectsAZipWithoutModelJson() throws IOException {
    Path folder = bundle(validDescription());
    Files.delete(folder.resolve("model.json"));
    Path zip = zip(folder, temp.resolve("none.zip"), "a/");
    BundleFileException e = assertThrows(BundleFileException.class, () -> ModelBundle.open(zip));
    assertTrue(e.getMessage().startsWith("model.json: not found at the top of"), e.getMessage());
    Path notZip = Files.writeString(temp.resolve("fake.zip"), "not a zip");
    e = assertThrows(BundleFileException.class, () -> ModelBundle.open(notZip));
    assertTrue(e.getMessage().contains("not a readable zip file"), e.getMessage());
  }
}
