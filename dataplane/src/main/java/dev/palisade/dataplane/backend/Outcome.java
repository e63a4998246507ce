package dev.palisade.dataplane.backend;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.kernel.Leftover;
import java.util.Optional;

/**
 * What an apply or cleanup did, in a backend's words.
 *
 * @param wroteNothing whether the kernel needed no write at all
 * @param written what was written, one line for logs ("3 members added", "nothing")
 * @param leftovers Palisade objects that stay because something foreign holds them
 * @param failure why the kernel did not converge, after every retry; empty when it did
 */
public record Outcome(boolean wroteNothing, String written, ImmutableList<Leftover> leftovers,
    Optional<String> failure) {

  public static Outcome succeeded(boolean wroteNothing, String written,
      ImmutableList<Leftover> leftovers) {
    return new Outcome(wroteNothing, written, leftovers, Optional.empty());
  }

  public static Outcome failed(String why, boolean wroteNothing, String written) {
    return new Outcome(wroteNothing, written, ImmutableList.of(), Optional.of(why));
  }

  public boolean succeeded() {
    return failure.isEmpty();
  }
}
