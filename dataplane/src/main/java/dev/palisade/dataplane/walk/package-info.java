/**
 * A pure interpreter of a compiled {@link dev.palisade.dataplane.state.FamilyState}: where the
 * first packet of a connection ends and which rules it is tested against on the way.
 */
package dev.palisade.dataplane.walk;
