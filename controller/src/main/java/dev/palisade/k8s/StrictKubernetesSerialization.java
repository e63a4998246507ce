package dev.palisade.k8s;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * A fabric8 {@link KubernetesSerialization} that refuses fields the Kubernetes API does not know.
 *
 * <p>Every fabric8 model class collects unknown fields in an {@code additionalProperties} map
 * (a Jackson any-setter), so {@code FAIL_ON_UNKNOWN_PROPERTIES} alone changes nothing: a
 * misspelled {@code securityContxt} would parse and silently be dropped by the API server. This
 * removes the any-setter from every typed model class, so Jackson reports the unknown field with
 * its path, as kube-apiserver's strict decoding does ({@code unknown field
 * "spec.podSelector.matchLabel"}). {@link GenericKubernetesResource} (kinds fabric8 has no class
 * for, such as a ServiceMonitor) keeps it: it has no typed fields at all.
 */
public final class StrictKubernetesSerialization {

  private StrictKubernetesSerialization() {}

  public static KubernetesSerialization create() {
    SimpleModule rejectUnknownFields = new SimpleModule("reject-unknown-fields");
    rejectUnknownFields.setDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public BeanDeserializerBuilder updateBuilder(
          DeserializationConfig config, BeanDescription description,
          BeanDeserializerBuilder builder) {
        if (!GenericKubernetesResource.class.isAssignableFrom(description.getBeanClass())) {
          builder.setAnySetter(null);
        }
        return builder;
      }
    });
    ObjectMapper mapper = new ObjectMapper()
        .registerModule(rejectUnknownFields)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    return new KubernetesSerialization(mapper, true);
  }
}
