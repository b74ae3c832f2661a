package org.diffris.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rule every host applies before any work: no output is an input, holds one or lies inside
 * one (a user's input is never written, and a host that replaces an output folder deletes it
 * whole), and no two outputs are one place or nest.
 *
 * <p>Places on this machine are compared as the file system resolves them: {@code ..} segments,
 * symbolic links (the real path of the deepest folder that exists) and hard links (two existing
 * files are one when they are the same inode); a place is inside a folder when either its name
 * or its real path is. Places on other file systems (HDFS, object stores: no links there) are
 * compared by their normalised names; places on different file systems never meet.
 */
public final class OutputPlaces {
  private OutputPlaces() {}

  /**
   * A file or folder a run reads or writes.
   *
   * @param option the option that named it ({@code --raster}), for messages
   * @param shown the place as the user gave it, for messages
   * @param fileSystem null for this machine's, else the remote file system ({@code s3a://bucket})
   * @param path the absolute path on that file system
   */
  public record Place(String option, String shown, String fileSystem, Path path) {
    public Place {
      Objects.requireNonNull(option);
      Objects.requireNonNull(path);
    }
  }

  /** A place on this machine. */
  public static Place local(String option, Path path) {
    return new Place(option, path.toString(), null, path.toAbsolutePath());
  }

  /**
   * A place on a remote file system.
   *
   * @param fileSystem its scheme and authority, {@code s3a://bucket}
   * @param path the absolute path there
   */
  public static Place remote(String option, String shown, String fileSystem, String path) {
    return new Place(option, shown, fileSystem, Path.of(path).normalize());
  }

  /** Why outputs cannot go where they were asked to, in one line. */
  public static final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(message);
    }

    RefusedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Fails when an output is, holds or lies inside an input, or two outputs are one place or
   * nest.
   *
   * @param inputs what the run reads (files or folders)
   * @param outputs what it writes, in the order the messages should name them
   */
  public static void check(List<Place> inputs, List<Place> outputs) throws RefusedException {
    List<Resolved> given = new ArrayList<>();
    for (Place output : outputs) {
      Resolved out = Resolved.of(output);
      for (Place input : inputs) {
        Resolved in = Resolved.of(input);
        if (out.same(in)) {
          throw new RefusedException(
              output.option()
                  + " "
                  + output.shown()
                  + " is the input "
                  + input.option()
                  + (input.shown().equals(output.shown()) ? "" : " " + input.shown())
                  + "; write to another place (inputs are never written)");
        }
        if (out.holds(in)) {
          throw new RefusedException(
              output.option()
                  + " "
                  + output.shown()
                  + " holds the input "
                  + input.option()
                  + " "
                  + input.shown()
                  + "; write somewhere else (inputs are never written)");
        }
        if (in.holds(out)) {
          throw new RefusedException(
              output.option()
                  + " "
                  + output.shown()
                  + " lies inside the input "
                  + input.option()
                  + " "
                  + input.shown()
                  + "; write somewhere else (inputs are never written)");
        }
      }
      for (Resolved earlier : given) {
        if (earlier.same(out)) {
          throw new RefusedException(
              earlier.place().option()
                  + " and "
                  + output.option()
                  + " name the same file or folder ("
                  + output.shown()
                  + "); give each its own");
        }
        if (earlier.holds(out) || out.holds(earlier)) {
          Resolved outer = earlier.holds(out) ? earlier : out;
          Resolved inner = outer == out ? earlier : out;
          throw new RefusedException(
              inner.place().option()
                  + " "
                  + inner.place().shown()
                  + " lies inside "
                  + outer.place().option()
                  + " "
                  + outer.place().shown()
                  + "; give each its own place");
        }
      }
      given.add(out);
    }
  }

  /** A place with the names it answers to: as given (normalised) and as the system resolves it. */
  private record Resolved(Place place, Path named, Path real) {
    static Resolved of(Place place) throws RefusedException {
      Path named = place.path().normalize();
      if (place.fileSystem() != null) {
        return new Resolved(place, named, named);
      }
      try {
        return new Resolved(place, named, realLocation(place.path()));
      } catch (IOException e) {
        throw new RefusedException(
            "cannot resolve " + place.option() + " " + place.shown() + ": " + e.getMessage(), e);
      }
    }

    boolean same(Resolved other) throws RefusedException {
      if (!Objects.equals(place.fileSystem(), other.place.fileSystem())) {
        return false;
      }
      if (place.fileSystem() == null
          && Files.exists(place.path())
          && Files.exists(other.place.path())) {
        try {
          return Files.isSameFile(place.path(), other.place.path()); // hard links too
        } catch (IOException e) {
          throw new RefusedException(
              "cannot compare " + place.shown() + " with " + other.place.shown(), e);
        }
      }
      return named.equals(other.named) || real.equals(other.real);
    }

    /** Whether {@code other} lies strictly inside this place. */
    boolean holds(Resolved other) {
      if (!Objects.equals(place.fileSystem(), other.place.fileSystem())) {
        return false;
      }
      return inside(other.named, named)
          || inside(other.real, real)
          || inside(other.named, real)
          || inside(other.real, named);
    }

    private static boolean inside(Path p, Path folder) {
      return p.startsWith(folder) && !p.equals(folder);
    }
  }

  /**
   * The real path of a place that may not exist yet: the real path of its deepest existing
   * ancestor, with the rest of its names.
   */
  static Path realLocation(Path place) throws IOException {
    Path absolute = place.toAbsolutePath();
    if (Files.exists(absolute)) {
      return absolute.toRealPath();
    }
    Path existing = absolute.normalize();
    Path rest = existing.getFileSystem().getPath("");
    while (existing.getParent() != null && !Files.exists(existing)) {
      rest = existing.getFileName().resolve(rest);
      existing = existing.getParent();
    }
    return existing.toRealPath().resolve(rest).normalize();
  }
}
