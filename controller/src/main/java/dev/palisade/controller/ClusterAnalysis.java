package dev.palisade.controller;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.Multimaps;
import dev.palisade.model.ObjectRef;
import java.util.Collection;

/** The outcome of one analysis of the whole cluster: notices per policy and the numbers. */
public record ClusterAnalysis(ImmutableListMultimap<ObjectRef, PolicyNotice> notices,
    ClusterStats stats) {

  public static final ClusterAnalysis EMPTY =
      new ClusterAnalysis(ImmutableListMultimap.of(), ClusterStats.EMPTY);

  static ClusterAnalysis of(Collection<PolicyNotice> notices, ClusterStats stats) {
    return new ClusterAnalysis(
        ImmutableListMultimap.copyOf(Multimaps.index(notices, PolicyNotice::policy)), stats);
  }

  public ImmutableList<PolicyNotice> noticesFor(ObjectRef policy) {
    return notices.get(policy);
  }
}
