/**
 * The only code that changes the kernel: reads what Palisade owns, diffs it against a
 * {@link dev.palisade.dataplane.state.DesiredState} and writes the difference.
 *
 * <h2>What is read</h2>
 * {@code iptables-save -t filter}, {@code ip6tables-save -t filter} and {@code ipset save},
 * filtered to {@code PALISADE-} chains (all their rules, each identified by the hash in its
 * {@code pal:<hash>} comment, printed quoted by nf_tables and unquoted by legacy), the jumps from
 * INPUT/FORWARD/OUTPUT into them with their positions, and the {@code pal-} sets. Nothing else is
 * kept, so nothing else can be written back.
 *
 * <h2>What is written, in order</h2>
 * <ol>
 *   <li>{@code ipset restore -exist}: new sets created and filled; members of existing sets
 *       changed by deltas (dels before adds).
 *   <li>one {@code iptables-restore --noflush [--wait]} transaction per family: new chains
 *       declared (never an existing one: in noflush mode that flushes it), misplaced jumps
 *       deleted, changed chains edited rule by rule ({@code -R}/{@code -I}/{@code -D} by index
 *       around a longest common subsequence of hashes, so kept rules keep their counters), jumps
 *       inserted at their positions, removed chains flushed and deleted after their references.
 *       Never a table flush, never a foreign chain.
 *   <li>{@code ipset restore}: sets nobody references any more destroyed.
 * </ol>
 * A set whose type or family changed takes two such rounds through a temporary set
 * ({@link dev.palisade.dataplane.kernel.SetReplacement}): the kernel refuses to {@code swap}
 * sets of different type and to {@code rename} a set in use.
 *
 * <h2>Adoption, drift, cleanup</h2>
 * The kernel is re-read on every apply and the writer keeps no state, so a restarted agent
 * converges from whatever it finds without flushing (no window without enforcement), drift is
 * repaired by the next apply, and cleanup is an apply of the empty state.
 *
 * <h2>Locking</h2>
 * nf_tables iptables ignores {@code /run/xtables.lock}; each restore is one atomic transaction
 * and {@code --wait} suffices. See {@link dev.palisade.dataplane.kernel.IptablesVersion} for
 * legacy iptables.
 */
package dev.palisade.dataplane.kernel;
