/**
 * The seam between the agent and a kernel mechanism: {@link
 * dev.palisade.dataplane.backend.Dataplane}, implemented by {@link
 * dev.palisade.dataplane.backend.IptablesDataplane} (chains and ipsets) and {@code
 * dev.palisade.dataplane.ebpf.EbpfDataplane} (a tc program and its maps). Both compile the same
 * node plan ({@code dev.palisade.dataplane.plan}).
 */
package dev.palisade.dataplane.backend;
