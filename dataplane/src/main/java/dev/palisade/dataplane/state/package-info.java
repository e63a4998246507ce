/**
 * The contract between the pure compiler and the kernel writer: the desired kernel state of one
 * node, per IP family, as named chains of rendered rules, hook jumps from built-in chains, and
 * named ipsets with members. Values only: no process is started here.
 */
package dev.palisade.dataplane.state;
