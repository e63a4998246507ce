package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.IpFamily;
import org.junit.jupiter.api.Test;

class IpsetSaveParserTest {
  @Test
  void keepsPalSetsWithTypeFamilyAndMembers() {
    var sets = IpsetSaveParser.parse("""
        create pal-n hash:net family inet hashsize 1024 maxelem 262144 comment bucketsize 12 initval 0x6d37988d
        add pal-n 10.0.0.0/8
        add pal-n 10.0.1.0/24 nomatch
        create kube-x hash:ip family inet hashsize 1024 maxelem 65536
        add kube-x 192.0.2.1
        create pal-p hash:ip,port family inet6 hashsize 1024 maxelem 65536 bucketsize 12
        add pal-p fd00:99::1,tcp:8080
        create pal-empty hash:ip family inet hashsize 1024 maxelem 65536
        """, Installation.DEFAULT);

    assertThat(sets).containsOnlyKeys("pal-n", "pal-p", "pal-empty");
    assertThat(sets.get("pal-n")).isEqualTo(new KernelSet("pal-n", "hash:net", IpFamily.V4,
        262_144, true, com.google.common.collect.ImmutableSortedSet.of("10.0.0.0/8",
            "10.0.1.0/24 nomatch")));
    assertThat(sets.get("pal-p").family()).isEqualTo(IpFamily.V6);
    assertThat(sets.get("pal-p").markedAsPalisades()).as("created without the marker").isFalse();
    assertThat(sets.get("pal-p").members()).containsExactly("fd00:99::1,tcp:8080");
    assertThat(sets.get("pal-empty").members()).isEmpty();
  }
}
