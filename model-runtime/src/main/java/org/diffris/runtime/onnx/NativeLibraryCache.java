package org.diffris.runtime.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * ONNX Runtime's native libraries extracted once per user and per library build, into
 * {@code $XDG_CACHE_HOME/diffris} (else {@code ~/.cache/diffris}), and loaded from there
 * ({@code onnxruntime.native.path}). Otherwise ONNX Runtime extracts them to a new temporary
 * folder on every start and, its delete-on-exit requests running in the wrong order, leaves that
 * folder behind empty: one more in {@code /tmp} per run. It still creates the folder, but with
 * nothing in it the delete succeeds.
 *
 * <p>The folder is named after the checksum of the main library in the jar, so another ONNX
 * Runtime build gets another folder. Files are written under a temporary name and moved into
 * place, so concurrent first runs cannot load a half-written library. When the cache cannot be
 * written ($HOME read-only or missing), the libraries go to a folder of this process's own in the
 * temporary folder ({@code diffris-onnxruntime-<pid>-<random>}), deleted when the JVM exits; one
 * left by a killed process is deleted by the next install once that process is gone.
 *
 * <p>Every host that runs ONNX Runtime calls {@link #install} first (the command line's main, the
 * Spark job's driver and executors).
 */
public final class NativeLibraryCache {
  static final String PROPERTY = "onnxruntime.native.path";
  private static final String PRIVATE_PREFIX = "diffris-onnxruntime-";
  private static final Pattern PRIVATE = Pattern.compile(PRIVATE_PREFIX + "(\\d{1,18})-\\d+");

  private NativeLibraryCache() {}

  /** Call before anything touches ONNX Runtime; does nothing when the property is already set. */
  public static synchronized void install() {
    if (System.getProperty(PROPERTY) != null) {
      return;
    }
    String folder = "ai/onnxruntime/native/" + platform() + "/";
    URL main =
        NativeLibraryCache.class
            .getClassLoader()
            .getResource(folder + System.mapLibraryName("onnxruntime"));
    if (main == null || !"jar".equals(main.getProtocol())) {
      return; // not run from a jar (an IDE's exploded classes): leave ONNX Runtime to itself
    }
    try {
      JarURLConnection connection = (JarURLConnection) main.openConnection();
      connection.setUseCaches(false);
      try (JarFile jar = connection.getJarFile()) {
        JarEntry library = connection.getJarEntry();
        String build = "onnxruntime-" + platform() + "-" + Long.toHexString(library.getCrc());
        Path target;
        try {
          target = cacheHome().resolve("diffris").resolve(build);
          extractAll(jar, folder, target);
        } catch (IOException | RuntimeException unwritable) {
          target = privateFolder();
          extractAll(jar, folder, target);
        }
        System.setProperty(PROPERTY, target.toString());
      }
    } catch (IOException | RuntimeException e) {
      // neither place can be written: ONNX Runtime extracts to a temporary folder as it always did
    }
  }

  private static void extractAll(JarFile jar, String folder, Path target) throws IOException {
    Files.createDirectories(target);
    Enumeration<JarEntry> entries = jar.entries();
    while (entries.hasMoreElements()) {
      JarEntry entry = entries.nextElement();
      String name = entry.getName();
      if (!entry.isDirectory()
          && name.startsWith(folder)
          && name.indexOf('/', folder.length()) < 0) {
        extract(jar, entry, target.resolve(name.substring(folder.length())));
      }
    }
  }

  private static void extract(JarFile jar, JarEntry entry, Path target) throws IOException {
    if (Files.isRegularFile(target) && Files.size(target) == entry.getSize()) {
      return;
    }
    Path partial =
        target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid());
    try (InputStream in = jar.getInputStream(entry)) {
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.move(
          partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /**
   * A new folder of this process's own in the temporary folder, deleted when the JVM exits (a
   * loaded library may be deleted on Linux and macOS; on Windows the delete fails and the next
   * run's clean-up takes it). Folders of processes that are gone are deleted first.
   */
  private static Path privateFolder() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    deleteFoldersOfDeadProcesses(tmp);
    Path folder =
        Files.createTempDirectory(tmp, PRIVATE_PREFIX + ProcessHandle.current().pid() + "-");
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> deleteTree(folder), "diffris-native-libraries"));
    return folder;
  }

  static void deleteFoldersOfDeadProcesses(Path tmp) throws IOException {
    try (DirectoryStream<Path> folders = Files.newDirectoryStream(tmp, PRIVATE_PREFIX + "*")) {
      for (Path folder : folders) {
        Matcher m = PRIVATE.matcher(folder.getFileName().toString());
        if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
          deleteTree(folder);
        }
      }
    }
  }

  private static void deleteTree(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // left for the next run's clean-up (deleteFoldersOfDeadProcesses)
    }
  }

  private static Path cacheHome() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg);
    }
    return Path.of(System.getProperty("user.home"), ".cache");
  }

  /** ONNX Runtime's name for this platform's folder in its jar, e.g. {@code linux-x64}. */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osName = os.contains("win") ? "win" : os.contains("mac") ? "osx" : "linux";
    String archName =
        arch.equals("amd64") || arch.equals("x86_64")
            ? "x64"
            : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
    return osName + "-" + archName;
  }
}
