package org.diffris.geotools;

import it.geosolutions.imageio.stream.input.FileImageInputStreamExt;
import java.awt.image.RenderedImage;
import java.io.File;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageReader;

/**
 * The files a coverage's pixels are decoded from, found through its image chain: each image that
 * an ImageIO reader produces ({@code ImageRead}, as GeoTools' GeoTIFF reader and GeoServer's
 * coverage stores create them) names its reader, whose input names the file. Lets the WPS process
 * check a published GeoTIFF for blocks past its end ({@link TiffBlocks}), which GeoTools' reader
 * would decode as zeros. A coverage built in memory, or read from a stream, has none.
 */
final class CoverageFiles {
  private static final String IMAGE_READER_PROPERTY = "JAI.ImageReader";

  private CoverageFiles() {}

  static Set<File> of(RenderedImage image) {
    Set<File> files = new LinkedHashSet<>();
    Map<RenderedImage, Boolean> seen = new IdentityHashMap<>();
    Deque<RenderedImage> pending = new ArrayDeque<>();
    pending.push(image);
    while (!pending.isEmpty()) {
      RenderedImage next = pending.pop();
      if (seen.put(next, Boolean.TRUE) != null) {
        continue;
      }
      if (next.getProperty(IMAGE_READER_PROPERTY) instanceof ImageReader reader
          && reader.getInput() instanceof FileImageInputStreamExt stream
          && stream.getFile() != null) {
        files.add(stream.getFile());
      }
      if (next.getSources() != null) {
        for (RenderedImage source : next.getSources()) {
          pending.push(source);
        }
      }
    }
    return files;
  }
}
