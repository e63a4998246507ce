package dev.palisade.cli;

import dev.palisade.k8s.ManifestReader;
import picocli.CommandLine.Option;

/** How manifests and scenario objects are read; shared by every command that reads them. */
public final class ManifestReading {
  @Option(names = "--allow-unknown-fields",
      description = "Ignore fields the Kubernetes API does not know instead of refusing them. "
          + "By default they are errors, as in kube-apiserver's strict decoding: a misspelt "
          + "'matchLabel:' would otherwise read as an absent selector and select every pod. "
          + "For dumps from a Kubernetes newer than Palisade's model.")
  boolean allowUnknownFields;

  public ManifestReader reader() {
    return new ManifestReader(allowUnknownFields);
  }
}
