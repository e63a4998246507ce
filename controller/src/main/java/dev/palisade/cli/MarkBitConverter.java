package dev.palisade.cli;

import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --mark-bit 0x10000}: one bit of the packet mark, not one of kube-proxy's (0x4000 marks
 * for masquerade, 0x8000 for drop), which would give its packets Palisade's meaning.
 */
final class MarkBitConverter implements ITypeConverter<Integer> {
  private static final Set<Long> KUBE_PROXY_BITS = Set.of(0x4000L, 0x8000L);

  @Override
  public Integer convert(String value) {
    long bit;
    try {
      bit = Long.decode(value.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a number (e.g. 0x10000)");
    }
    if (bit <= 0 || bit > 0xffffffffL || Long.bitCount(bit) != 1) {
      throw new TypeConversionException("'" + value + "' must be exactly one bit of the 32-bit "
          + "packet mark (e.g. 0x10000)");
    }
    if (KUBE_PROXY_BITS.contains(bit)) {
      throw new TypeConversionException("'" + value + "' is a bit kube-proxy uses (0x4000, "
          + "0x8000); choose another");
    }
    return (int) bit;
  }
}
