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
 */
final class NameLedger {
  private final Map<String, Identity> identityByName = new HashMap<>();
  private final Map<Identity, String> nameByIdentity = new HashMap<>();
  /**
   * The names claimed by generated-name object: a set shared by many policies is claimed once
   * per policy, with the same object, and this answers without hashing its identity again.
   */
  private final Map<GeneratedName, String> nameByObject = new IdentityHashMap<>();
  private final Map<GeneratedName, String> preferred;
  private final Map<GeneratedName, String> preferredClaimed = new HashMap<>();

  NameLedger() {
    this(new HashMap<>());
  }

  /** @param preferred earlier compilations' preferred names, which this ledger adds to */
  NameLedger(Map<GeneratedName, String> preferred) {
    this.preferred = preferred;
  }

  /** What a name stands for: an identity of one kind (its prefix). */
  private record Identity(String prefix, String identity) {}

  /** The name that stands for {@code generated}'s identity in this compilation. */
  String claim(GeneratedName generated) {
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
