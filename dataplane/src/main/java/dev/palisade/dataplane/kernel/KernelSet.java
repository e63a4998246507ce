package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.dataplane.state.Names;
import dev.palisade.model.IpFamily;

/**
 * A Palisade ipset as the kernel holds it. The type stays the kernel's text so that a
 * {@code pal-} set of a type Palisade never creates is still recognized (and replaced).
 *
 * <p>The prefix alone does not make a set Palisade's: Palisade creates its sets with the
 * {@code comment} option ({@link Names#SET_OWNERSHIP_MARKER}: entries may carry a comment; none
 * of ours do), and only a set that has it is ever destroyed. A set of a Palisade name without
 * it (made by someone else, or by a release before the marker) is adopted only when the desired
 * state names it, by replacement.
 *
 * @param maxElements the set's {@code maxelem}: how many members it can hold
 * @param markedAsPalisades whether it was created with Palisade's {@code comment} marker
 */
public record KernelSet(String name, String type, IpFamily family, int maxElements,
    boolean markedAsPalisades, ImmutableSortedSet<String> members) {}
