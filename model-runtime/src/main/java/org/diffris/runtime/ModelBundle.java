package org.diffris.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.diffris.runtime.json.JsonFields;
import org.diffris.runtime.json.JsonReader;
import org.diffris.runtime.json.JsonSyntaxException;
import org.diffris.runtime.text.ClipTokenizer;
import org.diffris.runtime.text.ClipVocabulary;
import org.diffris.runtime.text.TextTokenizer;
import org.diffris.runtime.text.WordPieceTokenizer;
import org.diffris.runtime.text.WordPieceVocabulary;

/**
 * A model bundle, a folder or a zip of it:
 *
 * <pre>
 * model.json          what the model expects and produces ({@link ModelDescription})
 * text_encoder.onnx   input_ids int64 [N,77] -> text_features, unless model.json's
 *                     text.encoder names a pretrained encoder on the class path ({@link
 *                     TextEncoderSource})
 * segmenter.onnx      image, text_features -> mask_logits
 * tokenizer/          vocab.json + merges.txt in CLIP's BPE format (text.tokenizer "clip-bpe"),
 *                     or vocab.txt in BERT's WordPiece format ("wordpiece")
 * *.onnx.data         a large graph's weights as ONNX external data, beside it (folder only)
 * </pre>
 *
 * <p>{@link #open} checks the whole bundle before returning: model.json's fields, that both ONNX
 * files are there, that the tokenizer loads and that model.json's bos/eos/pad ids agree with it. A
 * zip may hold these files at its top or inside one top folder. Any problem is a {@link
 * BundleFileException} naming the file (as a bundle-relative path) and the field or line. The ONNX
 * graphs themselves are only read when a session is made from {@link #read} or {@link #pathOf}.
 * Immutable; holds no open files.
 */
public final class ModelBundle {
  public static final String DESCRIPTION_FILE = "model.json";
  public static final String TEXT_ENCODER_FILE = "text_encoder.onnx";
  public static final String SEGMENTER_FILE = "segmenter.onnx";
  public static final String TOKENIZER_FOLDER = "tokenizer/";

  /** A graph's weights as ONNX external data, beside it: {@code segmenter.onnx.data}. */
  public static final String EXTERNAL_DATA_SUFFIX = ".data";

  private final Path location;
  private final String zipPrefix; // null for a folder bundle
  private final ModelDescription description;
  private final TextTokenizer tokenizer;
  private volatile String contentSha256; // computed on first use: a large bundle takes seconds

  private ModelBundle(Path location, String zipPrefix) throws IOException {
    this.location = location;
    this.zipPrefix = zipPrefix;
    this.description = readDescription();
    Optional<TextEncoderSource> encoder = description.text().encoder();
    if (!exists(SEGMENTER_FILE)) {
      throw new BundleFileException(
          SEGMENTER_FILE, "file not found in the model bundle " + location);
    }
    if (encoder.isEmpty() && !exists(TEXT_ENCODER_FILE)) {
      throw new BundleFileException(
          TEXT_ENCODER_FILE, "file not found in the model bundle " + location);
    }
    if (encoder.isPresent() && exists(TEXT_ENCODER_FILE)) {
      throw new BundleFileException(
          TEXT_ENCODER_FILE,
          "the bundle carries a text encoder and model.json's text.encoder names another ("
              + encoder.get().describe()
              + "): keep one");
    }
    if (encoder.isPresent() && !encoder.get().onClassPath()) {
      throw encoder.get().missing();
    }
    this.tokenizer = readTokenizer();
    if (zipPrefix != null) {
      refuseExternalDataInZip();
    }
  }

  /**
   * ONNX Runtime reads a graph's external weights from files beside the graph, so a zip of such
   * a bundle cannot be served from memory the way a small one is.
   */
  private void refuseExternalDataInZip() throws IOException {
    try (ZipFile zip = new ZipFile(location.toFile())) {
      for (String graph : List.of(TEXT_ENCODER_FILE, SEGMENTER_FILE)) {
        String data = graph + EXTERNAL_DATA_SUFFIX;
        if (zip.getEntry(zipPrefix + data) != null) {
          throw new BundleFileException(
              data,
              "the graph keeps its weights in this external data file, which ONNX Runtime reads"
                  + " from disk only: unzip "
                  + location
                  + " and use the folder");
        }
      }
    }
  }

  /**
   * The graph files with their sizes, external weight files included, for people: for example
   * {@code text_encoder.onnx 492.3 MB, segmenter.onnx 1.1 MB + segmenter.onnx.data 3.6 GB}.
   */
  public String graphFiles() throws IOException {
    List<String> parts = new ArrayList<>();
    Optional<TextEncoderSource> encoder = description.text().encoder();
    for (String graph : List.of(TEXT_ENCODER_FILE, SEGMENTER_FILE)) {
      if (graph.equals(TEXT_ENCODER_FILE) && encoder.isPresent()) {
        parts.add("text encoder " + encoder.get().entry() + " from " + encoder.get().artifact());
        continue;
      }
      String part = graph + " " + humanSize(size(graph));
      String data = graph + EXTERNAL_DATA_SUFFIX;
      if (exists(data)) {
        part += " + " + data + " " + humanSize(size(data));
      }
      parts.add(part);
    }
    return String.join(", ", parts);
  }

  private long size(String name) throws IOException {
    if (zipPrefix == null) {
      return Files.size(location.resolve(name));
    }
    try (ZipFile zip = new ZipFile(location.toFile())) {
      return zip.getEntry(zipPrefix + name).getSize();
    }
  }

  private static String humanSize(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** Opens and validates a bundle folder or zip file. */
  public static ModelBundle open(Path location) throws IOException {
    if (Files.isDirectory(location)) {
      return new ModelBundle(location, null);
    }
    if (!Files.isRegularFile(location)) {
      throw new BundleFileException(
          location.toString(), "no such model bundle (expected a folder or a .zip of one)");
    }
    return new ModelBundle(location, findZipRoot(location));
  }

  private static String findZipRoot(Path zip) throws IOException {
    List<String> candidates = new ArrayList<>();
    try (ZipFile file = new ZipFile(zip.toFile())) {
      Enumeration<? extends ZipEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        if (name.equals(DESCRIPTION_FILE)) {
          return "";
        }
        int slash = name.indexOf('/');
        if (slash > 0 && name.substring(slash + 1).equals(DESCRIPTION_FILE)) {
          candidates.add(name.substring(0, slash + 1));
        }
      }
    } catch (ZipException e) {
      throw new BundleFileException(
          zip.toString(), "not a readable zip file: " + e.getMessage(), e);
    }
    if (candidates.size() != 1) {
      throw new BundleFileException(
          DESCRIPTION_FILE,
          candidates.isEmpty()
              ? "not found at the top of " + zip + " nor in a single top folder"
              : "found in several top folders of " + zip + ": " + candidates);
    }
    return candidates.get(0);
  }

  private ModelDescription readDescription() throws IOException {
    if (!exists(DESCRIPTION_FILE)) {
      throw new BundleFileException(
          DESCRIPTION_FILE, "file not found in the model bundle " + location);
    }
    try {
      Object root =
          JsonReader.parse(
              JsonReader.decodeUtf8(read(DESCRIPTION_FILE), DESCRIPTION_FILE), DESCRIPTION_FILE);
      return ModelDescription.from(JsonFields.of(root, DESCRIPTION_FILE));
    } catch (JsonSyntaxException e) {
      throw new BundleFileException(
          DESCRIPTION_FILE, "line " + e.line() + ", column " + e.column() + ": " + e.problem(), e);
    } catch (JsonFields.FieldException e) {
      throw new BundleFileException(DESCRIPTION_FILE, e.getMessage(), e);
    }
  }

  private TextTokenizer readTokenizer() throws IOException {
    return description.text().tokenizer().equals("wordpiece")
        ? readWordPieceTokenizer()
        : readClipTokenizer();
  }

  private WordPieceTokenizer readWordPieceTokenizer() throws IOException {
    String vocabName = TOKENIZER_FOLDER + "vocab.txt";
    ModelDescription.Text text = description.text();
    WordPieceVocabulary vocabulary;
    try (InputStream vocab = open(vocabName)) {
      vocabulary = WordPieceVocabulary.read(vocab, vocabName, text.vocabSize());
    }
    checkId("bos", text.bosId(), vocabulary.clsId(), WordPieceVocabulary.CLS_TOKEN, vocabName);
    checkId("eos", text.eosId(), vocabulary.sepId(), WordPieceVocabulary.SEP_TOKEN, vocabName);
    checkId("pad", text.padId(), vocabulary.padId(), WordPieceVocabulary.PAD_TOKEN, vocabName);
    return new WordPieceTokenizer(vocabulary, text.maxLength());
  }

  private ClipTokenizer readClipTokenizer() throws IOException {
    String vocabName = TOKENIZER_FOLDER + "vocab.json";
    String mergesName = TOKENIZER_FOLDER + "merges.txt";
    ClipVocabulary vocabulary;
    try (InputStream vocab = open(vocabName);
        InputStream merges = open(mergesName)) {
      vocabulary = ClipVocabulary.read(vocab, vocabName, merges, mergesName);
    }
    if (description.text().vocabSize() >= 0
        && vocabulary.size() != description.text().vocabSize()) {
      throw new BundleFileException(
          vocabName,
          "holds "
              + vocabulary.size()
              + " tokens but model.json's text.vocab_size is "
              + description.text().vocabSize());
    }
    ModelDescription.Text text = description.text();
    checkId("bos", text.bosId(), vocabulary.startId(), ClipVocabulary.START_TOKEN, vocabName);
    checkId("eos", text.eosId(), vocabulary.endId(), ClipVocabulary.END_TOKEN, vocabName);
    if (text.padId() >= vocabulary.size()) {
      throw new BundleFileException(
          DESCRIPTION_FILE,
          "field text.pad is "
              + text.padId()
              + ", outside "
              + vocabName
              + " (ids 0.."
              + (vocabulary.size() - 1)
              + ")");
    }
    return new ClipTokenizer(vocabulary, text.maxLength(), text.padId());
  }

  private static void checkId(
      String field, int declared, int actual, String token, String vocabName)
      throws BundleFileException {
    if (declared != actual) {
      throw new BundleFileException(
          DESCRIPTION_FILE,
          "field text."
              + field
              + " is "
              + declared
              + " but "
              + vocabName
              + " gives "
              + token
              + " the id "
              + actual);
    }
  }

  private boolean exists(String name) throws IOException {
    if (zipPrefix == null) {
      return Files.isRegularFile(location.resolve(name));
    }
    try (ZipFile zip = new ZipFile(location.toFile())) {
      return zip.getEntry(zipPrefix + name) != null;
    }
  }

  private InputStream open(String name) throws IOException {
    return new ByteArrayInputStream(read(name));
  }

  /** The whole content of one bundle file, by bundle-relative name (for example {@code segmenter.onnx}). */
  public byte[] read(String name) throws IOException {
    if (zipPrefix == null) {
      Path file = location.resolve(name);
      if (!Files.isRegularFile(file)) {
        throw new BundleFileException(name, "file not found in the model bundle " + location);
      }
      return Files.readAllBytes(file);
    }
    try (ZipFile zip = new ZipFile(location.toFile())) {
      ZipEntry entry = zip.getEntry(zipPrefix + name);
      if (entry == null) {
        throw new BundleFileException(name, "file not found in the model bundle " + location);
      }
      try (InputStream in = zip.getInputStream(entry)) {
        return in.readAllBytes();
      }
    }
  }

  /**
   * The file on disk for a bundle-relative name, for a folder bundle (ONNX Runtime can map it
   * instead of copying it); empty for a zip bundle, whose files come from {@link #read}.
   */
  public Optional<Path> pathOf(String name) {
    return zipPrefix == null ? Optional.of(location.resolve(name)) : Optional.empty();
  }

  public Path location() {
    return location;
  }

  /**
   * The SHA-256 of the bundle's content, as 64 lower-case hex digits: every file of the bundle
   * (in a zip, those under its top folder), in the order of their bundle-relative names with
   * {@code /} as separator, each as its name in UTF-8, a zero byte, its length as 8 bytes
   * big-endian and its bytes. A folder and a zip of it give the same digest; so do two copies
   * anywhere. Reads every byte once (seconds for a bundle of gigabytes), then remembers it.
   */
  public String contentSha256() throws IOException {
    String digest = contentSha256;
    if (digest == null) {
      digest = zipPrefix == null ? folderDigest() : zipDigest();
      contentSha256 = digest;
    }
    return digest;
  }

  private String folderDigest() throws IOException {
    List<Path> files;
    try (var walk = Files.walk(location)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    java.util.TreeMap<String, Path> byName = new java.util.TreeMap<>();
    for (Path file : files) {
      byName.put(
          location.relativize(file).toString().replace(java.io.File.separatorChar, '/'), file);
    }
    java.security.MessageDigest sha = sha256();
    for (var entry : byName.entrySet()) {
      try (InputStream in = Files.newInputStream(entry.getValue())) {
        digestFile(sha, entry.getKey(), Files.size(entry.getValue()), in);
      }
    }
    return java.util.HexFormat.of().formatHex(sha.digest());
  }

  private String zipDigest() throws IOException {
    try (ZipFile zip = new ZipFile(location.toFile())) {
      java.util.TreeMap<String, ZipEntry> byName = new java.util.TreeMap<>();
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        if (!entry.isDirectory() && entry.getName().startsWith(zipPrefix)) {
          byName.put(entry.getName().substring(zipPrefix.length()), entry);
        }
      }
      java.security.MessageDigest sha = sha256();
      for (var entry : byName.entrySet()) {
        try (InputStream in = zip.getInputStream(entry.getValue())) {
          digestFile(sha, entry.getKey(), entry.getValue().getSize(), in);
        }
      }
      return java.util.HexFormat.of().formatHex(sha.digest());
    }
  }

  private static void digestFile(
      java.security.MessageDigest sha, String name, long length, InputStream in)
      throws IOException {
    sha.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(java.nio.ByteBuffer.allocate(Long.BYTES).putLong(length).array());
    byte[] buffer = new byte[1 << 16];
    long read = 0;
    for (int n; (n = in.read(buffer)) > 0; ) {
      sha.update(buffer, 0, n);
      read += n;
    }
    if (read != length) {
      throw new IOException(
          "model bundle file "
              + name
              + " changed while it was read ("
              + read
              + " of "
              + length
              + " bytes)");
    }
  }

  private static java.security.MessageDigest sha256() {
    try {
      return java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  public ModelDescription description() {
    return description;
  }

  /** The bundle's tokenizer, with model.json's maximum length and pad id. */
  public TextTokenizer tokenizer() {
    return tokenizer;
  }
}
