/**
 * Full restore payloads of a {@link dev.palisade.dataplane.state.FamilyState}: what
 * {@code palisade render} prints and the golden files hold.
 */
package dev.palisade.dataplane.render;
