package dev.palisade.dataplane.state;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Locale;

/**
 * Which Palisade installation kernel objects belong to. Each installation owns only the chains
 * and sets that carry its prefixes, so two installations on one node (two Helm releases, an old
 * and a new one) never remove or rewrite each other's objects. The default installation keeps
 * the prefixes every release before this one used ({@code PALISADE-}, {@code pal-}); another
 * one, with an id of 1 to 4 lowercase letters or digits, uses {@code PAL<ID>-} and
 * {@code pal<id>-}. No installation's prefix starts another's: an id never contains {@code -},
 * and {@code PALISADE-} has more than 4 letters between {@code PAL} and its {@code -}.
 *
 * @param id empty for the default installation
 */
public record Installation(String id) {
  public static final Installation DEFAULT = new Installation("");

  public Installation {
    checkArgument(id.matches("[a-z0-9]{0,4}"),
        "installation id '%s' must be 0 to 4 lowercase letters or digits", id);
  }

  /** Every chain of this installation starts with it. */
  public String chainPrefix() {
    return id.isEmpty() ? "PALISADE-" : "PAL" + id.toUpperCase(Locale.ROOT) + "-";
  }

  /** Every set of this installation starts with it. */
  public String setPrefix() {
    return id.isEmpty() ? "pal-" : "pal" + id + "-";
  }
}
