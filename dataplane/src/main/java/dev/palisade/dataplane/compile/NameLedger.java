package dev.palisade.dataplane.compile;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Hands out generated names within one compilation so that no two identities share one, even
 * when their 32-bit hashes collide: the first identity to claim a name keeps it, a later one
 * takes its next free candidate ({@link GeneratedName#candidate}). The compiler claims in a
 * fixed order (sorted pods and policies), so the result depends only on the compiled objects.
 * A collision must not be an error: it would fail every compile of the node, permanently.
 *
 * <p>A preferred name is a SHA-256 of its identity; the ledger of a node's next compilation
 * starts with this one's preferred names ({@link #preferredNames}), so an unchanged node hashes
 * nothing again.
 *
 * <p>While no identity has had to take a detour (a candidate other than its preferred name),
 * every name a ledger handed out is its identity's preferred one, in whatever order the
 * identities came; the next compilation of the node then continues this ledger ({@link #next})
 * instead of claiming all of the node's names again, and finds most of them by object. A
 * continued ledger still knows identities of objects gone since, so a detour there may be a
 * collision with a name nothing uses any more: {@link #detouredAfterContinuing} tells the
 * compiler to claim again in a fresh ledger, in its fixed order.
 */
final class NameLedger {
  /** Known identities beyond this many more than a compilation's claims: start afresh. */
  private static final int STALE_SLACK = 1024;

  private final Map<String, Identity> identityByName = new HashMap<>();
  private final Map<Identity, String> nameByIdentity = new HashMap<>();
  /**
   * The names claimed by generated-name object: a set shared by many policies is claimed once
   * per policy, with the same object, and this answers without hashing its identity again.
   */
  private final Map<GeneratedName, String> nameByObject = new IdentityHashMap<>();
  private final Map<GeneratedName, String> preferred;
  private final Map<GeneratedName, String> preferredClaimed = new HashMap<>();
  /** Whether some identity took a candidate other than its preferred name. */
  private boolean detoured;
  /** Whether this ledger continues the one of an earlier compilation. */
  private boolean continued;
  /** Claims since this ledger was made or last continued. */
  private int claims;

  NameLedger() {
    this(new HashMap<>());
  }

  /** @param preferred earlier compilations' preferred names, which this ledger adds to */
  NameLedger(Map<GeneratedName, String> preferred) {
    this.preferred = preferred;
  }

  /** What a name stands for: an identity of one kind (its prefix). */
  private record Identity(String prefix, String identity) {}

  /**
   * The ledger for the node's next compilation: this one, continued, while no identity took a
   * detour and the identities of objects gone since are not many more than one compilation
   * claims; else a fresh one that starts with this one's preferred names.
   */
  NameLedger next() {
    if (detoured || nameByObject.size() > 2 * claims + STALE_SLACK) {
      return new NameLedger(preferredNames());
    }
    continued = true;
    claims = 0;
    return this;
  }

  /**
   * Whether this ledger continues an earlier one and an identity took a detour in it: the names
   * may then differ from those a fresh ledger hands out in the compiler's order.
   */
  boolean detouredAfterContinuing() {
    return continued && detoured;
  }

  /**
   * Whether this ledger continues the one of an earlier compilation: it still holds every name
   * that compilation handed out, so a compilation may carry that compilation's chains and sets
   * over without claiming their names again ({@link #carried}).
   */
  boolean continues() {
    return continued;
  }

  /** Counts names carried over from the compilation this ledger continues as claimed. */
  void carried(int names) {
    claims += names;
  }

  /** The name that stands for {@code generated}'s identity in this compilation. */
  String claim(GeneratedName generated) {
    claims++;
    String claimed = nameByObject.get(generated);
    if (claimed == null) {
      claimed = claimByIdentity(generated);
      nameByObject.put(generated, claimed);
    }
    return claimed;
  }

  private String claimByIdentity(GeneratedName generated) {
    Identity identity = new Identity(generated.prefix(), generated.identity());
    String known = nameByIdentity.get(identity);
    if (known != null) {
      return known;
    }
    for (int attempt = 0; ; attempt++) {
      String candidate = attempt == 0 ? preferredName(generated) : generated.candidate(attempt);
      if (identityByName.putIfAbsent(candidate, identity) == null) {
        nameByIdentity.put(identity, candidate);
        detoured |= attempt > 0;
        return candidate;
      }
    }
  }

  /**
   * The preferred names to start the next compilation with: all known, unless they have grown
   * to more than twice what this compilation claimed (names of objects long gone), then only
   * this compilation's.
   */
  Map<GeneratedName, String> preferredNames() {
    return preferred.size() > 2 * preferredClaimed.size() + 1024 ? preferredClaimed : preferred;
  }

  private String preferredName(GeneratedName generated) {
    String name = preferred.computeIfAbsent(generated, unused -> generated.candidate(0));
    preferredClaimed.put(generated, name);
    return name;
  }
}
