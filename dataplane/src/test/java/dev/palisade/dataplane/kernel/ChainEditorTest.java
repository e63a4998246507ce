package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChainEditorTest {
  /** Each letter is a rule whose hash is that letter; '?' is a rule without a hash. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("unchanged", "abc", "abc", 0, 0),
        Arguments.of("one replaced in the middle", "abc", "axc", 1, 0),
        Arguments.of("insert at the front", "abc", "xabc", 1, 0),
        Arguments.of("insert in the middle", "abc", "abxc", 1, 0),
        Arguments.of("append", "abc", "abcd", 1, 0),
        Arguments.of("delete first", "abc", "bc", 0, 1),
        Arguments.of("delete last", "abc", "ab", 0, 1),
        Arguments.of("flushed chain refilled", "", "abc", 3, 0),
        Arguments.of("emptied", "abc", "", 0, 3),
        Arguments.of("foreign rule without hash removed", "a?b", "ab", 0, 1),
        Arguments.of("reordered", "abc", "cab", 1, 1),
        Arguments.of("replace and grow", "abcd", "axyzd", 3, 0),
        Arguments.of("replace and shrink", "axyzd", "abd", 1, 2),
        Arguments.of("duplicates", "aab", "aba", 1, 1),
        Arguments.of("all different", "abc", "xyz", 3, 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void editTurnsTheKernelChainIntoTheDesiredOne(String name, String have, String want,
      int written, int deleted) {
    ChainEditor.Edit edit = ChainEditor.edit("PALISADE-T", rules(have), rules(want), r -> true);

    assertThat(simulate(have, edit.commands())).isEqualTo(want);
    assertThat(edit.rulesWritten()).as("rules written").isEqualTo(written);
    assertThat(edit.rulesDeleted()).as("rules deleted").isEqualTo(deleted);
  }

  @Test
  void ruleNamingAStaleSetIsRewrittenEvenWithTheSameHash() {
    List<RuleText> rules = List.of(RuleText.parse(
        "-m set --match-set pal-x src -m comment --comment pal:a -j ACCEPT"));

    ChainEditor.Edit edit = ChainEditor.edit("PALISADE-T", rules, rules,
        r -> !r.matchSets().contains("pal-x"));

    assertThat(edit.commands()).containsExactly(
        "-R PALISADE-T 1 -m set --match-set pal-x src -m comment --comment pal:a -j ACCEPT");
  }

  private static List<RuleText> rules(String letters) {
    return letters.chars().mapToObj(c -> RuleText.parse(c == '?' ? "-j ACCEPT"
        : "-j ACCEPT -m comment --comment \"pal:" + (char) c + "\"")).toList();
  }

  /** Applies the commands as iptables-restore would, to a chain of hash letters. */
  private static String simulate(String have, List<String> commands) {
    List<String> chain = new ArrayList<>(Arrays.asList(have.split("")));
    chain.removeIf(String::isEmpty);
    for (String command : commands) {
      String[] words = command.split(" ");
      String hash = RuleText.parse(command).hash().orElse("?");
      switch (words[0]) {
        case "-A" -> chain.add(hash);
        case "-I" -> chain.add(Integer.parseInt(words[2]) - 1, hash);
        case "-R" -> chain.set(Integer.parseInt(words[2]) - 1, hash);
        case "-D" -> chain.remove(Integer.parseInt(words[2]) - 1);
        default -> throw new AssertionError(command);
      }
    }
    return String.join("", chain);
  }
}
