package dev.palisade.model;

/** Pod lifecycle phase; pods that have terminated are no longer endpoints. */
public enum PodPhase {
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  UNKNOWN;

  public boolean isTerminated() {
    return this == SUCCEEDED || this == FAILED;
  }
}
