package dev.palisade.dataplane.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Turns a chain's rules as the kernel holds them into the desired rules with the fewest
 * restore commands, so that every rule kept in place keeps its counters.
 *
 * <p>Rules are identified by their {@code pal:<hash>}. The rules both lists share are found as
 * a longest common subsequence (after trimming the common head and tail, which is all of it in
 * the usual one-rule change); between two kept rules, old rules are replaced in place
 * ({@code -R}) one for one, and the surplus deleted ({@code -D}) or inserted ({@code -I}/
 * {@code -A}). Indices are those of the chain as each command sees it, since iptables-restore
 * applies commands in order.
 */
final class ChainEditor {
  /** Above this many LCS cells the middle of the chain is simply replaced rule by rule. */
  private static final long MAX_LCS_CELLS = 4_000_000L;

  private ChainEditor() {}

  record Edit(List<String> commands, int rulesWritten, int rulesDeleted) {
    boolean isEmpty() {
      return commands.isEmpty();
    }
  }

  /**
   * @param reusable whether a kernel rule may stay as it is when its hash matches (false when
   *     it still points at a set being replaced or removed)
   */
  static Edit edit(String chain, List<RuleText> actual, List<RuleText> desired,
      Predicate<RuleText> reusable) {
    List<String> have = new ArrayList<>(actual.size());
    for (RuleText rule : actual) {
      have.add(reusable.test(rule) ? rule.hash().orElse(null) : null);
    }
    List<String> want = desired.stream().map(r -> r.hash().orElseThrow()).toList();
    int head = 0;
    while (head < have.size() && head < want.size() && same(have.get(head), want.get(head))) {
      head++;
    }
    int tail = 0;
    while (tail < have.size() - head && tail < want.size() - head
        && same(have.get(have.size() - 1 - tail), want.get(want.size() - 1 - tail))) {
      tail++;
    }
    List<int[]> kept = commonSubsequence(have.subList(head, have.size() - tail),
        want.subList(head, want.size() - tail));
    Writer writer = new Writer(chain, actual.size());
    writer.keep(head);
    int i = head;
    int j = head;
    for (int[] pair : kept) {
      writer.segment(pair[0] + head - i, desired.subList(j, pair[1] + head));
      writer.keep(1);
      i = pair[0] + head + 1;
      j = pair[1] + head + 1;
    }
    writer.segment(actual.size() - tail - i, desired.subList(j, desired.size() - tail));
    return new Edit(writer.commands, writer.written, writer.deleted);
  }

  private static boolean same(String have, String want) {
    return have != null && have.equals(want);
  }

  /** Index pairs (into have, into want) of one longest common subsequence, ascending. */
  private static List<int[]> commonSubsequence(List<String> have, List<String> want) {
    int n = have.size();
    int m = want.size();
    List<int[]> pairs = new ArrayList<>();
    if (n == 0 || m == 0 || (long) (n + 1) * (m + 1) > MAX_LCS_CELLS) {
      return pairs;
    }
    int[][] length = new int[n + 1][m + 1];
    for (int a = n - 1; a >= 0; a--) {
      for (int b = m - 1; b >= 0; b--) {
        length[a][b] = same(have.get(a), want.get(b)) ? length[a + 1][b + 1] + 1
            : Math.max(length[a + 1][b], length[a][b + 1]);
      }
    }
    int a = 0;
    int b = 0;
    while (a < n && b < m) {
      if (same(have.get(a), want.get(b))) {
        pairs.add(new int[] {a, b});
        a++;
        b++;
      } else if (length[a + 1][b] >= length[a][b + 1]) {
        a++;
      } else {
        b++;
      }
    }
    return pairs;
  }

  /** Emits commands while tracking the 1-based cursor and the chain's current length. */
  private static final class Writer {
    private final String chain;
    private final List<String> commands = new ArrayList<>();
    private int position = 1;
    private int length;
    private int written;
    private int deleted;

    Writer(String chain, int length) {
      this.chain = Objects.requireNonNull(chain);
      this.length = length;
    }

    void keep(int count) {
      position += count;
    }

    /** Replaces {@code removed} kernel rules at the cursor with {@code added}. */
    void segment(int removed, List<RuleText> added) {
      int replaced = Math.min(removed, added.size());
      for (int k = 0; k < replaced; k++) {
        commands.add("-R " + chain + " " + position++ + " " + added.get(k).text());
        written++;
      }
      for (int k = replaced; k < removed; k++) {
        commands.add("-D " + chain + " " + position);
        length--;
        deleted++;
      }
      for (int k = replaced; k < added.size(); k++) {
        commands.add(position == length + 1
            ? "-A " + chain + " " + added.get(k).text()
            : "-I " + chain + " " + position + " " + added.get(k).text());
        position++;
        length++;
        written++;
      }
    }
  }
}
