package dev.palisade.dataplane.compile;

import java.util.HashMap;
import java.util.Map;

/**
 * Hands out generated names within one compilation so that no two identities share one, even
 * when their 32-bit hashes collide: the first identity to claim a name keeps it, a later one
 * takes its next free candidate ({@link GeneratedName#candidate}). The compiler claims in a
 * fixed order (sorted pods and policies), so the result depends only on the compiled objects.
 * A collision must not be an error: it would fail every compile of the node, permanently.
 */
final class NameLedger {
  private final Map<String, String> identityByName = new HashMap<>();
  private final Map<String, String> nameByIdentity = new HashMap<>();

  /** The name that stands for {@code generated}'s identity in this compilation. */
  String claim(GeneratedName generated) {
    String identity = generated.prefix() + "|" + generated.identity();
    String known = nameByIdentity.get(identity);
    if (known != null) {
      return known;
    }
    for (int attempt = 0; ; attempt++) {
      String candidate = generated.candidate(attempt);
      if (identityByName.putIfAbsent(candidate, identity) == null) {
        nameByIdentity.put(identity, candidate);
        return candidate;
      }
    }
  }
}
