/**
 * Kubernetes objects in, policy-model values out: reading manifests (files, folders,
 * multi-document YAML, List objects) with fabric8's model and serialization, and
 * {@link dev.palisade.k8s.ModelConverter}, the one place where fabric8 objects become
 * policy-model types. Bad input becomes an {@link dev.palisade.k8s.InvalidInputException} that
 * names the file, the object and the field.
 */
package dev.palisade.k8s;
