package dev.palisade.dataplane.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The refusal names each missing requirement; the architecture picks the syscall number. */
class EbpfRequirementsTest {
  private static final String MOUNTS = """
      22 1 0:21 / / rw,relatime - ext4 /dev/vda rw
      40 22 0:35 / /sys rw,nosuid - sysfs sysfs rw
      41 40 0:36 / /sys/fs/bpf rw,nosuid - bpf bpf rw,mode=700
      """;
  private static final String ROOT = "Name:\tjava\nCapEff:\t000001ffffffffff\n";
  private static final Path PINS = Path.of("/sys/fs/bpf/palisade/default");

  @Test
  void aCapableMachineMissesNothing() {
    assertThat(EbpfRequirements.missing(
        new EbpfRequirements.Machine("6.18.44-fc", true, true, MOUNTS, ROOT), PINS)).isEmpty();
  }

  @Test
  void eachMissingRequirementIsNamed() {
    String noCaps = "CapEff:\t0000000000000000\n";
    String noBpffs = MOUNTS.lines().filter(line -> !line.contains(" bpf ")).reduce("",
        (a, b) -> a + b + "\n");

    assertThat(EbpfRequirements.missing(
        new EbpfRequirements.Machine("6.1.0-18-amd64", false, false, noBpffs, noCaps), PINS))
        .satisfiesExactly(
            kernel -> assertThat(kernel).contains("6.6", "6.1.0-18-amd64"),
            btf -> assertThat(btf).contains("/sys/kernel/btf/vmlinux"),
            kfunc -> assertThat(kfunc).contains("bpf_skb_ct_lookup"),
            bpffs -> assertThat(bpffs).contains("bpffs", PINS.toString()),
            bpf -> assertThat(bpf).contains("CAP_BPF"),
            netAdmin -> assertThat(netAdmin).contains("CAP_NET_ADMIN"));
  }

  @Test
  void capBpfAndNetAdminWithoutSysAdminSuffice() {
    String bpfAndNetAdmin = "CapEff:\t" + Long.toHexString((1L << 39) | (1L << 12)) + "\n";

    assertThat(EbpfRequirements.missing(new EbpfRequirements.Machine("7.0.1", true, true,
        MOUNTS, bpfAndNetAdmin), PINS)).isEmpty();
  }

  @Test
  void theMountHoldingThePathDecides() {
    assertThat(EbpfRequirements.fileSystemAt(MOUNTS, PINS)).isEqualTo("bpf");
    assertThat(EbpfRequirements.fileSystemAt(MOUNTS, Path.of("/sys/fs/bpfx"))).isEqualTo("sysfs");
    assertThat(EbpfRequirements.fileSystemAt(MOUNTS, Path.of("/tmp/x"))).isEqualTo("ext4");
  }

  @Test
  void syscallNumberByArchitecture() {
    assertThat(Bpf.syscallNumber("amd64")).isEqualTo(321);
    assertThat(Bpf.syscallNumber("aarch64")).isEqualTo(280);
    assertThatThrownBy(() -> Bpf.syscallNumber("sparcv9"))
        .hasMessageContaining("sparcv9").hasMessageContaining("iptables backend");
  }

  @Test
  void possibleCpus() {
    assertThat(PossibleCpus.parse("0-1\n")).isEqualTo(2);
    assertThat(PossibleCpus.parse("0\n")).isEqualTo(1);
    assertThat(PossibleCpus.parse("0-3,6")).isEqualTo(7);
  }
}
