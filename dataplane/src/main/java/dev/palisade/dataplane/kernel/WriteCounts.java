package dev.palisade.dataplane.kernel;

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

  public boolean wroteNothing() {
    return equals(NOTHING);
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
    int setsDestroyed;
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
      return new WriteCounts(setsCreated, 0, setsDestroyed, membersAdded,
          membersRemoved, chainsCreated, chainsRewritten, chainsDeleted, rulesWritten,
          rulesDeleted, hooksFixed, hooksRemoved);
    }
  }
}
