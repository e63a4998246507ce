/**
 * Network-namespace labs: nodes and pods built from Linux network namespaces and veths, echo
 * servers and probes, for the kernel tests and for {@code palisade demo}. Nothing here is
 * connected to the machine's real interfaces: every address lives inside namespaces the lab
 * created, and every namespace and process it made is removed by {@code close()}, by a
 * shutdown hook, or by the next run's sweep of namespaces whose creating process is gone.
 */
package dev.palisade.dataplane.lab;
