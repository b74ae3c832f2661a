package org.diffris.cli.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.diffris.cli.InputException;
import org.diffris.runtime.json.JsonReader;

/**
 * The samples of one split of RRSIS-D (Liu et al., RMSIN, CVPR 2024) in the RefCOCO-style layout
 * of its repository: {@code rrsisd/refs(unc).p} (a pickle, read by {@link PickleReader}), {@code
 * rrsisd/instances.json} (COCO) and the images in {@code images/rrsisd/JPEGImages/}; the folder
 * given may also be {@code rrsisd/} itself.
 *
 * <p>One sample per sentence, refs and sentences in file order; the expression is the sentence's
 * {@code raw} text (else {@code sent}), stripped; the type is the category name; the mask is the
 * referred annotation's segmentation ({@link CocoSegmentation}) at the image's size. Split names:
 * {@code test} matches every split whose name contains "test" (as RMSIN's refer.py), any other
 * name matches exactly. The same rules as {@code model/diffris/datasets/rrsisd.py}.
 */
final class RrsisdSplit {
  static final String REFS = "refs(unc).p";

  private RrsisdSplit() {}

  /** The folder holding refs(unc).p and instances.json: {@code folder/rrsisd} or {@code folder}. */
  static Path annotationFolder(Path folder) {
    for (Path candidate : new Path[] {folder.resolve("rrsisd"), folder}) {
      if (Files.isRegularFile(candidate.resolve(REFS))
          && Files.isRegularFile(candidate.resolve("instances.json"))) {
        return candidate;
      }
    }
    return null;
  }

  static List<EvalSample> read(Path folder, String split) throws InputException {
    Path annotations = annotationFolder(folder);
    Path refsPath = annotations.resolve(REFS);
    Path instancesPath = annotations.resolve("instances.json");
    Object refsValue = PickleReader.read(refsPath);
    if (!(refsValue instanceof List<?> refs)) {
      throw new InputException(refsPath + ": expected a list of refs");
    }
    Map<?, ?> instances;
    try (var in = Files.newInputStream(instancesPath)) {
      Object parsed = JsonReader.parse(in, instancesPath.toString());
      if (!(parsed instanceof Map<?, ?> m)) {
        throw new InputException(instancesPath + ": expected a JSON object");
      }
      instances = m;
    } catch (IOException e) {
      throw new InputException(instancesPath + ": " + e.getMessage(), e);
    }
    Map<Object, Map<?, ?>> images = index(instances, "images", "id", instancesPath);
    Map<Object, Map<?, ?>> anns = index(instances, "annotations", "id", instancesPath);
    Map<Object, String> categories = new HashMap<>();
    if (instances.get("categories") instanceof List<?> list) {
      for (Object c : list) {
        if (c instanceof Map<?, ?> category) {
          categories.put(key(category.get("id")), String.valueOf(category.get("name")));
        }
      }
    }
    TreeSet<String> present = new TreeSet<>();
    List<Map<?, ?>> chosen = new ArrayList<>();
    for (Object r : refs) {
      if (!(r instanceof Map<?, ?> ref)) {
        throw new InputException(refsPath + ": a ref is not a dict");
      }
      String refSplit = String.valueOf(ref.get("split"));
      present.add(refSplit);
      if (split.equals("test") ? refSplit.contains("test") : split.equals(refSplit)) {
        chosen.add(ref);
      }
    }
    if (chosen.isEmpty()) {
      throw new InputException(
          refsPath
              + ": no refs in split '"
              + split
              + "'; splits present: "
              + (present.isEmpty() ? "none" : String.join(", ", present)));
    }
    Path jpegs = annotations.getParent().resolve("images").resolve("rrsisd").resolve("JPEGImages");
    List<EvalSample> samples = new ArrayList<>();
    for (Map<?, ?> ref : chosen) {
      Object refId = ref.get("ref_id");
      Map<?, ?> ann = anns.get(key(ref.get("ann_id")));
      if (ann == null) {
        throw new InputException(
            refsPath
                + ": ref "
                + refId
                + " names annotation "
                + ref.get("ann_id")
                + ", which "
                + instancesPath
                + " does not have");
      }
      Map<?, ?> image = images.get(key(ref.get("image_id")));
      if (image == null) {
        throw new InputException(
            refsPath
                + ": ref "
                + refId
                + " names image "
                + ref.get("image_id")
                + ", which "
                + instancesPath
                + " does not have");
      }
      Object category =
          ref.containsKey("category_id") ? ref.get("category_id") : ann.get("category_id");
      String type = categories.getOrDefault(key(category), "unknown");
      Path file = jpegs.resolve(String.valueOf(image.get("file_name")));
      int width = integer(image.get("width"), instancesPath, "image width");
      int height = integer(image.get("height"), instancesPath, "image height");
      Object sentences = ref.get("sentences");
      if (!(sentences instanceof List<?> list)) {
        throw new InputException(refsPath + ": ref " + refId + " has no sentences list");
      }
      for (Object s : list) {
        if (!(s instanceof Map<?, ?> sentence)) {
          throw new InputException(
              refsPath + ": ref " + refId + " has a sentence that is not a dict");
        }
        Object text = sentence.containsKey("raw") ? sentence.get("raw") : sentence.get("sent");
        if (!(text instanceof String t)) {
          throw new InputException(refsPath + ": ref " + refId + " has a sentence without text");
        }
        EvalSplit.expression(
            t, refsPath + ": ref " + refId + " sentence " + sentence.get("sent_id"));
        Object segmentation = ann.get("segmentation");
        Object annId = ann.get("id");
        samples.add(
            new EvalSample(
                refId + "_" + sentence.get("sent_id"),
                type,
                t.strip(),
                file,
                () -> {
                  try {
                    return new EvalSample.BinaryMask(
                        width, height, CocoSegmentation.decode(segmentation, height, width));
                  } catch (IllegalArgumentException e) {
                    throw new InputException(
                        instancesPath + ": annotation " + annId + ": " + e.getMessage(), e);
                  }
                }));
      }
    }
    return samples;
  }

  private static Map<Object, Map<?, ?>> index(
      Map<?, ?> instances, String field, String id, Path source) throws InputException {
    if (!(instances.get(field) instanceof List<?> list)) {
      throw new InputException(source + ": no '" + field + "' list");
    }
    Map<Object, Map<?, ?>> byId = new HashMap<>();
    for (Object item : list) {
      if (item instanceof Map<?, ?> m) {
        byId.put(key(m.get(id)), m);
      }
    }
    return byId;
  }

  /** Ids compare as numbers whether read from the pickle (Long) or JSON (Long or Double). */
  private static Object key(Object id) {
    if (id instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    return id;
  }

  private static int integer(Object value, Path source, String what) throws InputException {
    if (value instanceof Number n && n.doubleValue() >= 1 && n.doubleValue() <= Integer.MAX_VALUE) {
      return n.intValue();
    }
    throw new InputException(source + ": " + what + " is not a positive integer: " + value);
  }
}
