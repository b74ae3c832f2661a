package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.Scenes;
import org.diffris.cli.testing.TestBundle;
import org.diffris.runtime.DiffrisModel;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.json.JsonReader;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line with a {@code wordpiece} bundle that names its pretrained text encoder instead
 * of carrying it: the encoder's jar comes with the command line (the parent pom's {@code
 * text-encoder.artifact}, a runtime dependency: on this test class path as in the shaded jar), so
 * {@code info} names the encoder and its licence and {@code segment} runs it.
 *
 * <p>The bundle is written here: model-runtime's analytic segmenter for 384-wide text features
 * (logit {@code x0 + 0.5 x1 - 0.25 x2 - f} per pixel for the normalized channels x, where f is
 * feature 0 of the query's first token), the vocabulary of the encoder's own tokenizer.json, and
 * a model.json naming the encoder by the coordinates and sha256 of the jar on the class path. So
 * the answer is known once f is: the red rectangles of {@link Scenes#twoRedRectangles}, with the
 * score the encoder's f gives.
 */
class PretrainedTextEncoderTest {
  private static final String QUERY = "red things";

  @TempDir static Path shared;
  static Path bundle;
  static Encoder encoder;
  @TempDir Path out;

  /** The encoder jar the command line ships: its coordinates, graph and vocabulary. */
  record Encoder(String coordinates, String name, String license, String entry, String sha256) {}

  @BeforeAll
  static void writeTheBundle() throws Exception {
    bundle = Files.createDirectories(shared.resolve("wordpiece"));
    Path jar = shippedEncoderJar();
    List<String> tokens;
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      encoder = describe(zip);
      tokens = vocabulary(zip);
    }
    Files.createDirectories(bundle.resolve("tokenizer"));
    Files.write(bundle.resolve("tokenizer/vocab.txt"), tokens, StandardCharsets.UTF_8);
    Files.copy(
        TestBundle.root()
            .resolve("model-runtime/src/test/resources/org/diffris/runtime/onnx")
            .resolve("segmenter_d384.onnx"),
        bundle.resolve("segmenter.onnx"));
    Files.writeString(
        bundle.resolve("model.json"),
        """
        {
          "name": "wordpiece-test",
          "version": "0.0.1",
          "license": "Apache-2.0",
          "task": "referring-segmentation",
          "image": {"size": 64, "channels": 3, "mean": [0.485, 0.456, 0.406],
                    "std": [0.229, 0.224, 0.225], "scale": 0.00392156862745098, "gsd_m": 1.0},
          "text": {"tokenizer": "wordpiece", "max_length": 77, "bos": %d, "eos": %d, "pad": %d,
                   "vocab_size": %d,
                   "encoder": {"name": "%s", "license": "%s", "artifact": "%s", "entry": "%s",
                               "sha256": "%s", "output": "last_hidden_state"}},
          "output": {"stride": 1, "kind": "logits"},
          "threshold": 0.5,
          "onnx": {"opset": 17}
        }
        """
            .formatted(
                tokens.indexOf("[CLS]"),
                tokens.indexOf("[SEP]"),
                tokens.indexOf("[PAD]"),
                tokens.size(),
                encoder.name(),
                encoder.license(),
                encoder.coordinates(),
                encoder.entry(),
                encoder.sha256()));
  }

  /** The one langchain4j embeddings jar on the class path: the command line must ship one. */
  private static Path shippedEncoderJar() {
    List<Path> jars = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (path.getFileName().toString().startsWith("langchain4j-embeddings-")) {
        jars.add(path);
      }
    }
    assertEquals(1, jars.size(), "the command line ships one text encoder jar: " + jars);
    return jars.get(0);
  }

  private static Encoder describe(ZipFile zip) throws Exception {
    Properties maven = new Properties();
    String pom = null;
    String entry = null;
    for (ZipEntry e : zip.stream().toList()) {
      if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
        try (InputStream in = zip.getInputStream(e)) {
          maven.load(in);
        }
      } else if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.xml")) {
        pom = new String(zip.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
      } else if (!e.getName().contains("/") && e.getName().endsWith(".onnx")) {
        entry = e.getName();
      }
    }
    assertTrue(entry != null && pom != null, "no ONNX graph or pom in " + zip.getName());
    Matcher licence = Pattern.compile("<license>\\s*<name>([^<]+)</name>").matcher(pom);
    assertTrue(licence.find(), "the encoder's pom names its licence");
    byte[] graph = zip.getInputStream(zip.getEntry(entry)).readAllBytes();
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(graph));
    String artifactId = maven.getProperty("artifactId");
    return new Encoder(
        maven.getProperty("groupId") + ":" + artifactId + ":" + maven.getProperty("version"),
        artifactId.replace("langchain4j-embeddings-", ""),
        licence.group(1),
        entry,
        sha256);
  }

  /** The WordPiece tokens of the jar's HuggingFace tokenizer.json, in id order. */
  @SuppressWarnings("unchecked")
  private static List<String> vocabulary(ZipFile zip) throws IOException {
    ZipEntry json =
        zip.stream()
            .filter(e -> !e.getName().contains("/") && e.getName().endsWith("tokenizer.json"))
            .findFirst()
            .orElseThrow();
    Map<String, Object> model;
    try (InputStream in = zip.getInputStream(json)) {
      model =
          (Map<String, Object>)
              ((Map<String, Object>) JsonReader.parse(in, json.getName())).get("model");
    }
    Map<String, Object> vocab = (Map<String, Object>) model.get("vocab");
    String[] tokens = new String[vocab.size()];
    vocab.forEach((token, id) -> tokens[((Number) id).intValue()] = token);
    assertTrue(Arrays.stream(tokens).allMatch(t -> t != null), "ids 0..n-1");
    return List.of(tokens);
  }

  @Test
  void infoNamesTheEncoderAndItsLicence() {
    Cli run = Cli.run("info", "--model", bundle.toString());
    assertEquals(0, run.exitCode, run.err);
    assertTrue(
        run.out.contains(
            "text encoder: "
                + encoder.name()
                + " ("
                + encoder.license()
                + ") from "
                + encoder.coordinates()),
        run.out);
    assertTrue(run.out.contains("text: wordpiece, 77 tokens"), run.out);
  }

  @Test
  void segmentRunsTheEncoderFromTheClassPath() throws Exception {
    float f;
    try (DiffrisModel model =
        DiffrisModel.open(ModelBundle.open(bundle), SessionSettings.of(ExecutionProvider.CPU))) {
      f = model.encode(QUERY).value(1, 0);
    }
    // Between the ground's and the red's pixel terms (-2.25 and 1.34): the red rectangles exactly.
    assertTrue(f > -2 && f < 1, "feature 0 of the first token of '" + QUERY + "' is " + f);
    Path scene = Scenes.twoRedRectangles(shared.resolve("scene.tif"));
    Path gpkg = out.resolve("red.gpkg");
    Cli run =
        Cli.run(
            "segment",
            "--raster",
            scene.toString(),
            "--query",
            QUERY,
            "--model",
            bundle.toString(),
            "--device",
            "cpu",
            "--out",
            gpkg.toString());
    assertEquals(0, run.exitCode, run.err);
    assertEquals("2", run.summary().get("polygons"));
    List<GeoPackageContents.Feature> features = GeoPackageContents.read(gpkg).features;
    assertEquals(
        Scenes.RED_PIXELS, features.stream().mapToDouble(p -> p.number("pixels")).sum(), 0);
    double red = logit(Scenes.RED) - f;
    for (GeoPackageContents.Feature feature : features) {
      assertEquals(QUERY, feature.attributes().get("query"));
      assertEquals("wordpiece-test 0.0.1", feature.attributes().get("model"));
      assertEquals(1 / (1 + Math.exp(-red)), feature.number("score"), 1e-5);
    }
  }

  private static double logit(java.awt.Color c) {
    double x0 = (c.getRed() / 255.0 - 0.485) / 0.229;
    double x1 = (c.getGreen() / 255.0 - 0.456) / 0.224;
    double x2 = (c.getBlue() / 255.0 - 0.406) / 0.225;
    return x0 + 0.5 * x1 - 0.25 * x2;
  }
}
