package org.diffris.cli.io;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

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
 * written, nothing changes: ONNX Runtime extracts as before.
 */
public final class NativeLibraryCache {
  static final String PROPERTY = "onnxruntime.native.path";

  private NativeLibraryCache() {}

  /** Call before anything touches ONNX Runtime; does nothing when the property is already set. */
  public static void install() {
    if (System.getProperty(PROPERTY) != null) {
      return;
    }
    String folder = "ai/onnxruntime/native/" + platform() + "/";
    URL main =
        NativeLibraryCache.class
            .getClassLoader()
            .getResource(folder + System.mapLibraryName("onnxruntime"));
    if (main == null || !"jar".equals(main.getProtocol())) {
      return; // not run from a jar (tests, an IDE): leave ONNX Runtime to itself
    }
    try {
      JarURLConnection connection = (JarURLConnection) main.openConnection();
      connection.setUseCaches(false);
      try (JarFile jar = connection.getJarFile()) {
        JarEntry library = connection.getJarEntry();
        Path cache =
            cacheHome()
                .resolve("diffris")
                .resolve("onnxruntime-" + platform() + "-" + Long.toHexString(library.getCrc()));
        Files.createDirectories(cache);
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
          JarEntry entry = entries.nextElement();
          String name = entry.getName();
          if (!entry.isDirectory()
              && name.startsWith(folder)
              && name.indexOf('/', folder.length()) < 0) {
            extract(jar, entry, cache.resolve(name.substring(folder.length())));
          }
        }
        System.setProperty(PROPERTY, cache.toString());
      }
    } catch (IOException | RuntimeException e) {
      // no cache: ONNX Runtime extracts to a temporary folder as it always did
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
