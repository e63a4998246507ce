package dev.palisade.dataplane.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * What one apply wrote to the kernel. A second apply of the same state yields
 * {@link #NOTHING}; tests and metrics read these numbers.
 *
 * @param setsReplaced sets whose type or family changed; the temporary set used and the
 *     re-created set also show in the created, destroyed and member counts
 * @param chainsRewritten existing chains whose rules were edited
 * @param rulesWritten rules appended, inserted or replaced in Palisade chains
 * @param hooksFixed jumps (re)inserted into built-in chains
 */
public record WriteCounts(int setsCreated, int setsReplaced, int setsDestroyed,
    int membersAdded, int membersRemoved, int chainsCreated, int chainsRewritten,
    int chainsDeleted, int rulesWritten, int rulesDeleted, int hooksFixed, int hooksRemoved) {

  public static final WriteCounts NOTHING = new WriteCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  static WriteCounts replaced(int sets) {
    return new WriteCounts(0, sets, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  static WriteCounts destroyed(int sets) {
    return new WriteCounts(0, 0, sets, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  public boolean wroteNothing() {
    return equals(NOTHING);
  }

  /** One line for logs and the CLI, naming only what changed, e.g. "2 sets created, ...". */
  public String describe() {
    List<String> parts = new ArrayList<>();
    part(parts, setsCreated, "sets created");
    part(parts, setsReplaced, "sets replaced");
    part(parts, setsDestroyed, "sets destroyed");
    part(parts, membersAdded, "members added");
    part(parts, membersRemoved, "members removed");
    part(parts, chainsCreated, "chains created");
    part(parts, chainsRewritten, "chains edited");
    part(parts, chainsDeleted, "chains deleted");
    part(parts, rulesWritten, "rules written");
    part(parts, rulesDeleted, "rules deleted");
    part(parts, hooksFixed, "jumps inserted");
    part(parts, hooksRemoved, "jumps removed");
    return parts.isEmpty() ? "nothing" : String.join(", ", parts);
  }

  private static void part(List<String> parts, int count, String what) {
    if (count > 0) {
      parts.add(count + " " + what);
    }
  }

  public WriteCounts plus(WriteCounts o) {
    return new WriteCounts(setsCreated + o.setsCreated, setsReplaced + o.setsReplaced,
        setsDestroyed + o.setsDestroyed, membersAdded + o.membersAdded,
        membersRemoved + o.membersRemoved, chainsCreated + o.chainsCreated,
        chainsRewritten + o.chainsRewritten, chainsDeleted + o.chainsDeleted,
        rulesWritten + o.rulesWritten, rulesDeleted + o.rulesDeleted, hooksFixed + o.hooksFixed,
        hooksRemoved + o.hooksRemoved);
  }

  /** A mutable tally for the planners; {@link #counts()} freezes it. */
  static final class Tally {
    int setsCreated;
    int membersAdded;
    int membersRemoved;
    int chainsCreated;
    int chainsRewritten;
    int chainsDeleted;
    int rulesWritten;
    int rulesDeleted;
    int hooksFixed;
    int hooksRemoved;

    WriteCounts counts() {
      return new WriteCounts(setsCreated, 0, 0, membersAdded,
          membersRemoved, chainsCreated, chainsRewritten, chainsDeleted, rulesWritten,
          rulesDeleted, hooksFixed, hooksRemoved);
    }
  }
}
