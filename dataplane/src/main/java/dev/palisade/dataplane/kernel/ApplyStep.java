package dev.palisade.dataplane.kernel;

/** The steps of one apply, in the order they run. */
public enum ApplyStep {
  READ_KERNEL,
  UPDATE_SETS,
  RESTORE_IPV4,
  RESTORE_IPV6
}
