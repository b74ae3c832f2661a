import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffris.runtime.DiffrisModel;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.runtime.tiling.TileModel;

/**
 * How much a process grows when it opens a bundle's ONNX Runtime sessions and runs batches of
 * tiles: prints {@code batch=B tile=T base_rss_kb=... peak_rss_kb=... growth_bytes=...}, the growth
 * being the peak resident set (VmHWM) after the runs minus the resident set (VmRSS) just before the
 * sessions open. Run it in a JVM whose heap is committed up front (-Xms = -Xmx,
 * -XX:+AlwaysPreTouch), so the Java heap adds nothing to the growth: measure.sh does. Linux only
 * (/proc/self/status).
 *
 * <p>Usage: {@code java -cp cli/target/diffris-cli.jar NativeMemoryProbe.java BUNDLE TILE BATCH}
 */
public class NativeMemoryProbe {
  public static void main(String[] args) throws IOException {
    Path bundlePath = Path.of(args[0]);
    int tile = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    ModelBundle bundle = ModelBundle.open(bundlePath);
    int channels = bundle.description().image().channels();
    float[] images = new float[batch * channels * tile * tile];
    float[] logits = new float[batch * tile * tile];
    System.gc();
    long before = statusKb("VmRSS");
    try (DiffrisModel model = DiffrisModel.open(bundle, SessionSettings.of(ExecutionProvider.CPU))) {
      TileModel tiles = model.forQuery("white storage tanks");
      for (int run = 0; run < 3; run++) {
        tiles.predict(images, batch, tile, tile, logits);
      }
      long peak = statusKb("VmHWM");
      System.out.printf(
          "batch=%d tile=%d base_rss_kb=%d peak_rss_kb=%d growth_bytes=%d%n",
          batch, tile, before, peak, (peak - before) * 1024);
    }
  }

  private static long statusKb(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
      }
    }
    throw new IOException(field + " not in /proc/self/status");
  }
}
